"""Logs exchanges into an llm log database through llm's own Python API, the way the
`llm` CLI does (sqlite_utils.Database + migrate + Response.log_to_db), with the echo model.

Usage: python write_exchanges.py DB COUNT [PREFIX]
Prints each logged id on its own line (flushed) and exits 1 if any write failed.
Used by the concurrency test (llm writing while mem-extract reads) and the benchmark
(a 100k-exchange database with real rows).
"""
import sys

import llm
import sqlite_utils
from llm.migrations import migrate


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    prefix = sys.argv[3] if len(sys.argv) > 3 else "message"
    db = sqlite_utils.Database(path)
    migrate(db)
    model = llm.get_model("echo")
    failures = 0
    for i in range(count):
        response = model.prompt(f"{prefix} {i}: I am a developer who likes Rust number {i}")
        response.text()
        try:
            response.log_to_db(db)
        except Exception as error:  # what llm itself would hit: "database is locked"
            failures += 1
            print(f"write failed: {error}", file=sys.stderr, flush=True)
            continue
        print(response.id, flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
