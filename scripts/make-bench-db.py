"""Writes a realistic llm log database for the benchmark, through llm's own Python API
(Response.log_to_db, as the `llm` CLI logs), with in-process models so every reply is
chosen here. "Realistic" means what a year of daily `llm` use leaves behind:

- conversations of varied length (half are one call; the rest continue with `-c` or in
  `llm chat`, up to 40 calls), some long-lived;
- system prompts on about a fifth of conversations (set on the first call, as llm does);
- prompt fragments (`-f docs/….md`, 1–20 KB, many reused by hash) on about one call in ten,
  system fragments (`--sf`) on one in twenty;
- tool calls on one call in twenty, each followed by its tool-result call (no typed text);
- typed prompts from a few words to several KB (pasted logs and code), replies from a
  line to a few KB; about a quarter of prompts say something about the user;
- three models (the ids a user of OpenAI, Anthropic and a local model would have).

Usage: python make-bench-db.py DB COUNT [--seed N]
COUNT counts logged calls (turns), tool-result follow-ups included. Deterministic for a
seed. Written with synchronous=OFF and an in-memory journal for speed; the schema, rows
and journal mode of the file are what llm writes.
"""
import random
import sys

import llm
import sqlite_utils
from llm.migrations import migrate

WORDS = (
    "the of and to in is that for it with as on be at by this from or an but not are "
    "have you which one all were when there can more if out so what up about into than "
    "them some could time only new other then also these two may first any like now my "
    "such make over our even most me state after should well very through long where much "
    "right still own see men work get here between both life being under never day same "
    "another know while last might us great old year off come since against go came "
    "deploy kubernetes rust swift python query index cache latency thread async request "
    "schema migration parser buffer socket token model prompt vector embedding cluster"
).split()

DISCLOSURES = [
    "I'm a backend engineer at a logistics company in Rotterdam",
    "I work mostly in Rust and some Go these days",
    "I prefer answers without emojis, short and direct",
    "I'm learning Japanese in the evenings",
    "we use Terraform and AWS at work",
    "my team owns the billing service",
    "I live in Lisbon now",
    "I'm building a CLI that keeps notes for llm",
    "as a nurse I often work night shifts",
    "I use neovim with a lot of plugins",
    "from now on, always show the shell command first",
    "I'm writing my PhD thesis on distributed consensus",
]

TASKS = [
    "How do I reverse a list in Python?",
    "Explain the difference between a mutex and a semaphore",
    "Write a bash one-liner that counts lines in all .swift files",
    "What does this error mean?",
    "Summarize this article",
    "Translate into German",
    "Why is my query slow?",
    "Give me three names for a coffee shop",
    "Refactor this function",
    "What is the capital of Mongolia?",
]


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def typed_prompt(rng):
    """What a user types: a short question, a self-disclosure, or a paste of logs/code."""
    roll = rng.random()
    if roll < 0.25:
        base = rng.choice(DISCLOSURES) + ". " + rng.choice(TASKS)
    else:
        base = rng.choice(TASKS)
    size = rng.lognormvariate(3.2, 1.3)  # median ~25 words, long tail
    if roll > 0.85:  # a paste: several KB of log or code lines
        lines = [f"2026-03-{rng.randint(1, 28):02d}T12:{rng.randint(0, 59):02d}Z INFO {words(rng, 10)}"
                 for _ in range(rng.randint(20, 120))]
        return base + "\n\n" + "\n".join(lines)
    return base + " " + words(rng, int(size))


def reply_text(rng):
    return words(rng, int(min(rng.lognormvariate(4.5, 0.9), 900)))


class BenchModel(llm.Model):
    """A model answering with text chosen by the generator (and a tool call when asked)."""

    can_stream = False
    supports_tools = True

    def __init__(self, model_id):
        self.model_id = model_id
        self.next_reply = ""
        self.next_tool_call = None

    def execute(self, prompt, stream, response, conversation=None):
        if self.next_tool_call:
            response.add_tool_call(self.next_tool_call)
            self.next_tool_call = None
        yield self.next_reply


def lookup(query: str) -> str:
    """A tool the bench conversations call."""
    return query


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--seed")]
    seed = 7
    for i, a in enumerate(sys.argv):
        if a == "--seed":
            seed = int(sys.argv[i + 1])
            args.remove(sys.argv[i + 1])
    path, count = args[0], int(args[1])
    rng = random.Random(seed)
    db = sqlite_utils.Database(path)
    migrate(db)
    # Speed only: neither setting changes the file llm leaves (rollback journal, same rows).
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA journal_mode=MEMORY")
    models = [BenchModel("gpt-4o-mini")] * 5 + [BenchModel("claude-3-5-sonnet-latest")] * 3 + [BenchModel("llama3.2")] * 2
    documents = [llm.Fragment(words(rng, rng.randint(200, 3000)), source=f"docs/notes-{i}.md") for i in range(60)]
    system_documents = [llm.Fragment(words(rng, rng.randint(50, 400)), source=f"prompts/style-{i}.md") for i in range(8)]
    logged = 0
    while logged < count:
        model = rng.choice(models)
        conversation = model.conversation()
        length = 1 if rng.random() < 0.5 else min(40, int(rng.paretovariate(1.2)) + 1)
        system = words(rng, rng.randint(5, 80)) if rng.random() < 0.2 else None
        for turn in range(length):
            if logged >= count:
                break
            fragments = [rng.choice(documents)] if rng.random() < 0.1 else []
            system_fragments = [rng.choice(system_documents)] if turn == 0 and rng.random() < 0.05 else []
            use_tool = rng.random() < 0.05 and logged + 2 <= count
            model.next_reply = reply_text(rng)
            tools = []
            if use_tool:
                model.next_tool_call = llm.ToolCall(name="lookup", arguments={"query": words(rng, 3)})
                tools = [llm.Tool.function(lookup)]
            response = conversation.prompt(
                typed_prompt(rng),
                system=system if turn == 0 else None,
                fragments=fragments,
                system_fragments=system_fragments,
                tools=tools,
            )
            response.text()
            response.log_to_db(db)
            logged += 1
            if use_tool:
                call = response.tool_calls()[0]
                model.next_reply = reply_text(rng)
                follow = conversation.prompt(
                    None,
                    tools=tools,
                    tool_results=[llm.ToolResult(name="lookup", output=words(rng, 40), tool_call_id=call.tool_call_id)],
                )
                follow.text()
                follow.log_to_db(db)
                logged += 1


if __name__ == "__main__":
    main()
