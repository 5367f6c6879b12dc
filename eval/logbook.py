"""Logs a scenario's sessions into an llm log database through llm's own Python API.

This is what the `llm` CLI does for `llm -c` / `llm chat`: a conversation of the model,
`conversation.prompt(...)`, the response run to completion, `response.log_to_db(db)`.
The only difference is the model: `Replay` answers with the scenario's written reply,
so the assistant text in logs.db is exactly the scenario's, stored by llm itself
(thread, turns, content-addressed messages and parts) — never hand-written rows.
"""
import llm
import sqlite_utils
from llm.migrations import migrate


class Replay(llm.Model):
    """A model whose next answer is whatever the harness queued for it."""

    can_stream = False

    def __init__(self, model_id):
        self.model_id = model_id
        self.queue = []

    def execute(self, prompt, stream, response, conversation=None):
        yield self.queue.pop(0)


def create_database(path):
    """An empty log database with llm's current schema, as llm makes it on first use.
    Made once per run and copied: its ~30 migrations each commit, and a scratch
    database needs no fsync (PRAGMA synchronous=OFF changes no row or schema)."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA synchronous=OFF")
    migrate(db)
    db.close()


def log_session(path, turns, model_id):
    """Logs one session (one conversation, its turns in order) into the database at `path`."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA synchronous=OFF")
    model = Replay(model_id)
    conversation = model.conversation()
    for turn in turns:
        model.queue.append(turn.reply)
        response = conversation.prompt(turn.prompt, system=turn.system)
        response.text()
        response.log_to_db(db)
    db.close()
