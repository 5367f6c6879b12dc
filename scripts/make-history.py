#!/usr/bin/env python3
"""A year of profile history for scripts/bench-history.sh, made by the real mem-merge.

    make-history.py BIN_DIR MEMORY_DIR LOGS_DB CHANGES

Writes LOGS_DB (llm's legacy `responses` schema: one exchange per change, its prompt the
user's words, dated across the past year) and applies CHANGES deltas to
MEMORY_DIR/profile.md with `mem-merge --in-place`, each citing its exchange with the
metadata mem-propose attaches: mostly facts added while the profile is small, then
rewordings and removals (about 100 bullets at any time); every 97th change a line
written by hand (recorded as a hand edit by the next commit); every 250th an undo and
every 400th a forget, through `mem-history`. Prints one bullet text that was reworded
several times (for `why`) on stdout. Seeded: the same history every run.
"""
import datetime
import json
import os
import random
import sqlite3
import subprocess
import sys

bin_dir, memory_dir, logs_db, changes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
profile = os.path.join(memory_dir, "profile.md")
rng = random.Random(12)
sections = ["Personal Information", "Current Projects", "Interests", "Preferences"]
topics = ["Rust", "sailing", "SQLite", "bouldering", "Go", "chess", "jazz", "compilers", "Lisbon", "Vim",
          "gardening", "photography", "Kubernetes", "cycling", "Haskell", "baking", "astronomy", "Zig"]
verbs = ["Likes", "Uses", "Learning", "Building", "Prefers", "Works on", "Interested in", "Reads about"]

db = sqlite3.connect(logs_db)
db.execute("""CREATE TABLE responses (id TEXT PRIMARY KEY, model TEXT, prompt TEXT, system TEXT,
              response TEXT, conversation_id TEXT, datetime_utc TEXT)""")
start = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(days=365)
step = datetime.timedelta(days=365) / changes
bullets = []  # (section, text)
wordings = {}  # text -> how many times reworded
env = dict(os.environ, LLM_MEMORY_DIR=memory_dir, LLM_USER_PATH=os.path.dirname(logs_db))


def run(tool, args, stdin=b""):
    done = subprocess.run([os.path.join(bin_dir, tool)] + args + ["--profile", profile], input=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    return done.returncode, done.stdout


for n in range(changes):
    when = (start + step * n).isoformat()
    exchange = f"01bench{n:019d}"
    conversation = f"01conv{n // 5:020d}"
    topic, verb = rng.choice(topics), rng.choice(verbs)
    words = f"By the way, {verb.lower()} {topic} is a big part of my week now, change {n}. " + "Some more context. " * rng.randint(0, 6)
    db.execute("INSERT INTO responses VALUES (?, 'gpt-4o-mini', ?, NULL, 'Noted.', ?, ?)", (exchange, words, conversation, when))
    if n % 250 == 249:
        code, delta = run("mem-history", ["undo", "--force"])
        if code == 0:
            run("mem-merge", ["--in-place"], delta)
        continue
    if n % 400 == 399 and bullets:
        code, delta = run("mem-history", ["forget", bullets[0][1], "--all"])
        if code == 0:
            run("mem-merge", ["--in-place"], delta)
        continue
    if n % 97 == 96 and os.path.exists(profile):
        with open(profile, "a") as f:
            f.write(f"- Written by hand, note {n}\n")
    section = rng.choice(sections)
    mine = [b for b in bullets if b[0] == section]
    roll = rng.random()
    if len(bullets) < 100 and (roll < 0.7 or not mine):
        text = f"{verb} {topic} (fact {n})"
        op = {"op": "add", "section": section, "text": text}
        bullets.append((section, text))
    elif mine and roll < 0.85:
        old = rng.choice(mine)
        text = f"{verb} {topic} (fact {n})"
        op = {"op": "replace", "section": section, "old": old[1], "text": text}
        bullets[bullets.index(old)] = (section, text)
        wordings[text] = wordings.pop(old[1], 0) + 1
    elif mine:
        old = rng.choice(mine)
        op = {"op": "remove", "section": section, "old": old[1]}
        bullets.remove(old)
    else:
        continue
    op["source"] = exchange
    delta = {"ops": [op], "sources": [exchange], "through": f"r{n + 1}.t0", "model": "gpt-4o-mini",
             "exchanges": [{"id": exchange, "datetime": when, "model": "gpt-4o-mini", "conversation": conversation,
                            "words": words[:119] + "…" if len(words) > 120 else words}]}
    code, _ = run("mem-merge", ["--in-place"], json.dumps(delta).encode())
    if code != 0:
        sys.exit(f"mem-merge failed on change {n}")
db.commit()
present = {text for _, text in bullets}
probe = max((t for t in wordings if t in present), key=lambda t: wordings[t], default=bullets[-1][1])
print(probe)
