"""Logs exchanges that each state one unique fact ("I like fact-0037.") into an llm log
database through llm's own Python API, as write_exchanges.py does (sqlite_utils.Database
+ migrate + Response.log_to_db, with the echo model): one Python start for a whole
stream, instead of ~0.7 s per `llm` CLI call.

Usage: python write_fact_exchanges.py DB FIRST [COUNT]
Logs fact-FIRST, fact-FIRST+1, ...: COUNT of them, or - without COUNT - as many as each
line read from stdin says (a stream the caller paces; end of input ends it). Prints
"<id> fact-NNNN" per exchange (flushed) once it is committed, and exits 1 if any write
failed. The crash tests use it for the stream of exchanges updates are killed in; the
test-only model `facts` (llm-facts-model) turns exactly these facts into add ops.
"""
import sys

import llm
import sqlite_utils
from llm.migrations import migrate


def main():
    path, first = sys.argv[1], int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else None
    db = sqlite_utils.Database(path)
    migrate(db)
    model = llm.get_model("echo")
    state = {"next": first, "failures": 0}

    def log(k):
        for _ in range(k):
            fact = "fact-%04d" % state["next"]
            state["next"] += 1
            response = model.prompt(f"I like {fact}.")
            response.text()
            try:
                response.log_to_db(db)
            except Exception as error:  # what llm itself would hit: "database is locked"
                state["failures"] += 1
                print(f"write failed: {error}", file=sys.stderr, flush=True)
                continue
            print(response.id, fact, flush=True)

    if count is not None:
        log(count)
    else:
        for line in sys.stdin:
            if line.strip():
                log(int(line))
    sys.exit(1 if state["failures"] else 0)


if __name__ == "__main__":
    main()
