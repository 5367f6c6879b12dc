"""Logs exchanges into an llm log database through llm's own Python API, the way the
`llm` CLI does (sqlite_utils.Database + migrate + Response.log_to_db), with the echo model.

Usage: python write_exchanges.py DB COUNT [PREFIX] [--fast]
Prints each logged id on its own line (flushed) and exits 1 if any write failed.
--fast (for building the benchmark's 100k database) turns off fsync for this
connection (PRAGMA synchronous=OFF) and prints nothing; schema and rows are the same.
Used by the concurrency test (llm writing while mem-extract reads) and the benchmark
(a 100k-exchange database with real rows).
"""
import sys

import llm
import sqlite_utils
from llm.migrations import migrate


def main():
    fast = "--fast" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--fast"]
    path, count = args[0], int(args[1])
    prefix = args[2] if len(args) > 2 else "message"
    db = sqlite_utils.Database(path)
    migrate(db)
    if fast:
        db.execute("PRAGMA synchronous=OFF")
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
        if not fast:
            print(response.id, flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
