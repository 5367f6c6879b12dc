#!/usr/bin/env python3
"""Helper for make-fixtures.sh: runs one real `llm` call and appends what was
typed to the fixture manifest.

    record.py call --db NAME --version V --llm PATH --manifest FILE --case CASE \
        [-P TYPED | -E | -N]... [-S SYSTEM] [--frag KIND:PATH]... \
        [--stdin-text TEXT] [--note TEXT] -- LLM-ARGS...

One -P/-E/-N per exchange the call is expected to log, in order:
  -P TEXT  the user typed TEXT (stdin + argument as llm joins them,
           template-expanded),
  -E       nothing typed (a fragment-only call): the manifest says "",
  -N       a tool-result follow-up: the manifest says null.
-S is the -s (or template) system text given on this call; --frag names the
-f/--sf files given on this call, in order. stdin is /dev/null unless
--stdin-text is given.

The call's exchanges are found by diffing `llm logs --json -n 0` (run with the
same llm that made the call, so a legacy database is never migrated) before
and after. Each one is checked against what llm stored (see the `check_*`
functions) so the manifest cannot silently drift from llm's behaviour; a
mismatch stops the run. Prints the conversation id of the call's first
exchange on stdout.

    record.py check --manifest FILE DB...

Opens each database read-only and checks that the manifest lists exactly the
exchanges in `turns` and `responses`, in insertion (rowid) order, with no
repeated id and no rowid gap (a REPLACE would leave one).
"""
import argparse
import json
import os
import pathlib
import sqlite3
import subprocess
import sys


def fail(message):
    sys.stderr.write("record.py: " + message + "\n")
    sys.exit(1)


def logs_json(llm):
    if not db_path().exists():
        # llm creates logs.db lazily, on the first logged call.
        return []
    out = subprocess.run(
        [llm, "logs", "list", "--json", "-n", "0"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        fail("llm logs failed: " + out.stderr)
    return json.loads(out.stdout) if out.stdout.strip() else []


def db_path():
    return pathlib.Path(os.environ["LLM_USER_PATH"]) / "logs.db"


def connect_ro(path):
    db = sqlite3.connect("file:{}?mode=ro".format(path), uri=True, timeout=5)
    db.row_factory = sqlite3.Row
    return db


def table_names(db):
    return {r[0] for r in db.execute("select name from sqlite_master where type='table'")}


def stored_rows(db, ids):
    """(table, rowid, fragments) for each id, fragments as llm recorded them:
    prompt fragments in order, then system fragments in order."""
    tables = table_names(db)
    found = {}
    for exchange_id in ids:
        row = None
        if "turns" in tables:
            row = db.execute("select rowid from turns where id = ?", [exchange_id]).fetchone()
            if row:
                frags = db.execute(
                    'select tf.kind, f.source from turn_fragments tf'
                    ' join fragments f on f.id = tf.fragment_id'
                    " where tf.turn_id = ? order by tf.kind = 'system', tf.\"order\"",
                    [exchange_id],
                ).fetchall()
                found[exchange_id] = ("turns", row[0], [dict(kind=k, source=s) for k, s in frags])
                continue
        row = db.execute("select rowid from responses where id = ?", [exchange_id]).fetchone()
        if not row:
            fail("exchange {} is in `llm logs` but in neither table".format(exchange_id))
        frags = []
        for kind, table in (("prompt", "prompt_fragments"), ("system", "system_fragments")):
            if table not in tables:
                continue
            for (source,) in db.execute(
                "select f.source from {} x join fragments f on f.id = x.fragment_id"
                ' where x.response_id = ? order by x."order"'.format(table),
                [exchange_id],
            ):
                frags.append(dict(kind=kind, source=source))
        found[exchange_id] = ("responses", row[0], frags)
    return found


def load_state(path):
    if path.exists():
        return json.loads(path.read_text())
    return {"roots": {}}


def cmd_call(args):
    llm_args = args.llm_args
    if llm_args and llm_args[0] == "--":
        llm_args = llm_args[1:]
    expected = args.expect or []
    if not expected:
        fail("no -P/-E/-N given for case " + args.case)
    frags = []
    for spec in args.frag or []:
        kind, _, path = spec.partition(":")
        if kind not in ("prompt", "system") or not path:
            fail("bad --frag " + spec)
        p = pathlib.Path(path).resolve()
        frags.append({"kind": kind, "source": str(p), "content": p.read_text()})

    # Scratch state kept beside the llm user dir: for every conversation the
    # typed system and system fragments of the call that started it.
    state_path = pathlib.Path(os.environ["LLM_USER_PATH"]).parent / "record-state.json"
    state = load_state(state_path)

    before = {r["id"] for r in logs_json(args.llm)}
    stdin = args.stdin_text.encode() if args.stdin_text is not None else b""
    run = subprocess.run([args.llm] + llm_args, input=stdin, capture_output=True)
    if run.returncode != 0:
        fail(
            "llm {} failed ({}):\n{}{}".format(
                llm_args, run.returncode, run.stdout.decode(), run.stderr.decode()
            )
        )
    new = [r for r in logs_json(args.llm) if r["id"] not in before]
    if len(new) != len(expected):
        fail(
            "case {}: expected {} logged exchanges, llm logged {}".format(
                args.case, len(expected), len(new)
            )
        )
    db = connect_ro(db_path())
    try:
        stored = stored_rows(db, [r["id"] for r in new])
    finally:
        db.close()
    # Insertion order is rowid order within the table the call wrote.
    new.sort(key=lambda r: (stored[r["id"]][0], stored[r["id"]][1]))

    conversation = new[0]["conversation_id"]
    roots = state["roots"]
    continuing = conversation in roots
    if not continuing:
        roots[conversation] = {
            "system": args.system,
            "system_fragments": [f["content"] for f in frags if f["kind"] == "system"],
        }
    root = roots[conversation]

    entries = []
    for index, (row, typed) in enumerate(zip(new, expected)):
        table, _rowid, stored_frags = stored[row["id"]]
        first = index == 0
        notes = []
        if args.note and first:
            notes.append(args.note)
        if row["conversation_id"] != conversation:
            fail("case {}: one call wrote two conversations".format(args.case))

        if typed == "":
            notes.append(
                "nothing typed (fragment-only call); the manifest says \"\""
                + ("; llm 0.31.1 stores responses.prompt NULL" if table == "responses" else "")
            )

        # What llm stores as this exchange's system prompt, without
        # system-fragment content.
        if table == "responses":
            system = args.system if first else None
        else:
            root_system = (root["system"] or "").strip()
            system = root_system or None
            this_call = (args.system or "").strip() if first else ""
            if continuing and args.system is not None and first and this_call != root_system:
                notes.append(
                    "-s on a continuation is not logged by llm 0.36: the stored system is"
                    " the thread's first call's" + (" (none)" if system is None else "")
                )
            elif system is not None and this_call != root_system:
                notes.append("system inherited from the thread's first call (llm 0.36)")

        # Fragments: what llm recorded for this exchange. For the call's
        # first exchange that must be exactly the files given.
        if first:
            given = [{"kind": f["kind"], "source": f["source"]} for f in frags]
            if stored_frags != given:
                fail(
                    "case {}: fragments stored {} != given {}".format(
                        args.case, stored_frags, given
                    )
                )

        check_logged(args, table, row, typed, system, frags if first else None, root, first)

        entry = {
            "db": args.db,
            "id": row["id"],
            "case": args.case if len(new) == 1 else "{}#{}".format(args.case, index + 1),
            "llm": args.version,
            "table": table,
            "conversation": row["conversation_id"],
            "model": row["model"],
            "datetime": row["datetime_utc"],
            "prompt": typed,
            "system": system,
            "fragments": stored_frags,
            "response": row["response"],
        }
        if notes:
            entry["note"] = "; ".join(notes)
        entries.append(entry)

    with open(args.manifest, "a", encoding="utf-8") as out:
        for entry in entries:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    state_path.write_text(json.dumps(state))
    print(conversation)


def check_logged(args, table, row, typed, system, frags, root, first):
    """Compare the expectation with what `llm logs --json` reports."""
    case = args.case
    if table == "responses":
        # 0.31.1: responses.prompt is the typed text ('' for a tool-result
        # follow-up, NULL when nothing was typed); system is this call's -s.
        want_prompt = "" if typed is None else (None if typed == "" else typed)
        want_system = system
    else:
        # 0.36: the user message is the prompt fragments and the typed text
        # joined by "\n"; the system is the thread root's system fragments and
        # -s, each trimmed, joined by "\n\n".
        if typed is None:
            want_prompt = ""
        else:
            contents = [f["content"] for f in (frags or []) if f["kind"] == "prompt"]
            want_prompt = "\n".join(contents + ([typed] if typed else []))
        bits = [b.strip() for b in root["system_fragments"] + [root["system"] or ""]]
        want_system = "\n\n".join(b for b in bits if b) or None
    if row["prompt"] != want_prompt:
        fail("case {}: llm logs prompt {!r} != expected {!r}".format(case, row["prompt"], want_prompt))
    if row["system"] != want_system:
        fail("case {}: llm logs system {!r} != expected {!r}".format(case, row["system"], want_system))


def cmd_check(args):
    entries = [json.loads(line) for line in open(args.manifest, encoding="utf-8")]
    for path in args.dbs:
        name = pathlib.Path(path).name
        listed = [e for e in entries if e["db"] == name]
        db = connect_ro(path)
        try:
            tables = table_names(db)
            stored = []
            for table in ("responses", "turns"):
                if table not in tables:
                    continue
                rows = db.execute("select rowid, id from {} order by rowid".format(table)).fetchall()
                ids = [r[1] for r in rows]
                if len(set(ids)) != len(ids):
                    fail("{}: repeated id in {}".format(name, table))
                if rows and [r[0] for r in rows] != list(range(1, len(rows) + 1)):
                    fail("{}: rowid gap in {} (a row was replaced or deleted)".format(name, table))
                stored.extend((table, r[0], r[1]) for r in rows)
        finally:
            db.close()
        for table in ("responses", "turns"):
            want = [e["id"] for e in listed if e["table"] == table]
            got = [s[2] for s in stored if s[0] == table]
            if want != got:
                fail("{}: manifest {} ids differ from the database's".format(name, table))
        counts = {t: sum(1 for e in listed if e["table"] == t) for t in ("responses", "turns")}
        size = os.path.getsize(path)
        print("{}: {} exchanges ({} in responses, {} in turns), {} bytes".format(
            name, len(listed), counts["responses"], counts["turns"], size))
        if size >= 1024 * 1024:
            fail("{} is over 1 MB".format(name))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    call = sub.add_parser("call")
    call.add_argument("--db", required=True)
    call.add_argument("--version", required=True)
    call.add_argument("--llm", required=True)
    call.add_argument("--manifest", required=True)
    call.add_argument("--case", required=True)
    call.add_argument("-P", dest="expect", action="append")
    call.add_argument("-E", dest="expect", action="append_const", const="")
    call.add_argument("-N", dest="expect", action="append_const", const=None)
    call.add_argument("-S", dest="system")
    call.add_argument("--frag", action="append")
    call.add_argument("--stdin-text")
    call.add_argument("--note")
    call.add_argument("llm_args", nargs=argparse.REMAINDER)
    check = sub.add_parser("check")
    check.add_argument("--manifest", required=True)
    check.add_argument("dbs", nargs="+")
    args = parser.parse_args()
    if args.command == "call":
        cmd_call(args)
    else:
        cmd_check(args)


if __name__ == "__main__":
    main()
