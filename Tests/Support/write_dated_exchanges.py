"""Logs exchanges into an llm log database through llm's own Python API, as the `llm` CLI
logs them (sqlite_utils.Database + migrate + Response.log_to_db), each with the model it
was held with and the time it was held: a user's history from before memory was set up
(the backfill tests: "I'm a frontend developer", a year ago).

Usage: python write_dated_exchanges.py DB  < JSON
JSON is a list of {"prompt": TEXT, "model": ID (default "echo"), "days_ago": N (default 0)}.
The model answers as it would in `llm` (a test model plugin: its chat reply); the turn's
`datetime_utc` is set to N days before now, as llm sets it when a call starts. Prints each
logged id on its own line; a write that fails ends it with a traceback (exit 1).
"""
import datetime
import json
import sys

import llm
import sqlite_utils
from llm.migrations import migrate


def main():
    db = sqlite_utils.Database(sys.argv[1])
    migrate(db)
    now = datetime.datetime.now(datetime.timezone.utc)
    for item in json.load(sys.stdin):
        model = llm.get_model(item.get("model", "echo"))
        response = model.prompt(item["prompt"])
        response.text()
        response._start_utcnow = now - datetime.timedelta(days=float(item.get("days_ago", 0)))
        response.log_to_db(db)
        print(response.id, flush=True)


if __name__ == "__main__":
    main()
