#!/usr/bin/env bash
# The benchmark: every figure the README quotes, measured side by side in one run.
#   - start-up of each static release tool on a typical profile
#   - mem-extract on a 100k-exchange database written by the real llm (its Python API,
#     log_to_db, echo model): 20 new exchanges, and a full read vs `llm logs -n 0 --json`,
#     with peak memory for both
#   - mem-merge and mem-render on a 1,000-bullet profile with a 50-op delta
#   - mem-render on a 300-bullet profile ranked by its history (scripts/bench-render.sh)
#   - model traffic per update: our delta vs rewriting the whole profile, at 1, 2, 8 KB
#   - the llm wrapper's overhead (scripts/bench-wrapper.sh)
#   - the history commands on a year of changes (scripts/bench-history.sh)
#   - `llm-memory backfill --dry-run` (read, gate, batching; no model) on a realistic
#     100k-exchange history (scripts/make-bench-db.py)
# Usage: make bench   (or scripts/bench.sh after `make build test-env`)
# The 100k databases are made once and kept in bench-out/ (about 5 and 15 minutes);
# BENCH_REAL_DB names an existing realistic one to use instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv="${LLM_TEST_VENVS:-$root/.venv-test}/llm-0.36"
bin="$root/.build/release"
out="$root/bench-out"
mkdir -p "$out"
for t in mem-extract mem-propose mem-merge mem-render mem-history mem-backfill; do
  [ -x "$bin/$t" ] || { echo "run 'make build' first" >&2; exit 1; }
done
[ -x "$venv/bin/llm" ] || { echo "run 'make test-env' first" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" LLM_USER_PATH="$scratch/llm" LLM_MEMORY_DIR="$scratch/memory"
mkdir -p "$HOME" "$LLM_USER_PATH" "$LLM_MEMORY_DIR"
swift_version=$(swift --version 2>/dev/null | head -n 1 || true)
export PATH="$bin:$venv/bin:/usr/bin:/bin"

# shellcheck source=scripts/bench-common.sh
. "$root/scripts/bench-common.sh"  # median, time_runs

# peak_kb CMD…: peak resident memory (KiB) of one run; that run's CPU time (user + sys,
# ms) is left in $scratch/cpu.
peak_kb() {
  /usr/bin/time -f '%M %U %S' -o "$scratch/rss" "$@" </dev/null >/dev/null 2>&1
  awk '{ printf "%.0f", ($2 + $3) * 1000 }' "$scratch/rss" >"$scratch/cpu"
  awk '{ print $1 }' "$scratch/rss"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr), ${swift_version:-swift not on PATH}"
echo "date: $(date -u +%Y-%m-%d)"
echo

# ---- a typical profile, and start-up of each tool ----------------------------------------
cat >"$LLM_MEMORY_DIR/profile.md" <<'PROFILE'
# User profile

## Personal Information
- Name: Ada Example
- Role: Rust developer
- Works at Example Corp
- Lives in Lisbon

## Current Projects
- Building a memory add-on for llm
- Porting a parser from C to Rust

## Interests
- Compilers
- Local-first software

## Preferences
- Short answers
- Prefers examples in Rust
PROFILE
"$venv/bin/python" "$root/Tests/Support/write_exchanges.py" "$LLM_USER_PATH/logs.db" 20 small --fast
printf '{"ops":[]}' >"$scratch/empty-delta.json"
echo "start-up, median of 200 runs (fully static release build, typical 400-byte profile; wall time, fork and exec included):"
printf '  %-58s %8s ms\n' "mem-render" "$(time_runs 200 mem-render)"
printf '  %-58s %8s ms\n' "mem-merge (empty delta, profile to stdout)" "$(time_runs 200 mem-merge "$scratch/empty-delta.json")"
printf '  %-58s %8s ms\n' "mem-extract --limit 1 (20-exchange logs.db)" "$(time_runs 200 mem-extract --limit 1)"
printf '  %-58s %8s ms\n' "mem-propose (no exchanges: no model call)" "$(time_runs 200 mem-propose)"
printf '  %-58s %8s ms\n' "for scale: /bin/true" "$(time_runs 200 /bin/true)"
echo

# ---- one exchange holding a 100 KB paste: gate, redaction, the request ---------------------
"$venv/bin/python" - "$scratch/paste.jsonl" <<'PY'
import json, sys
key = "sk-" + "abcDEF1234567890ghiJKL1234567890mnoPQR"
text = ""
while len(text.encode()) < 100_000:
    text += f"I work on llm plugins in Python and Swift; password handling uses token={key} now. "
    text += "See https://example.com/docs and commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39.\n"
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "paste", "conversation": "c", "model": "stand-in", "datetime": "2026-01-01T00:00:00",
                        "prompt": text, "system": None, "fragments": [], "response": "ok", "cursor": "r0.t1"}) + "\n")
PY
printf '#!/bin/sh\ncat >/dev/null\nprintf %%s "{\\"ops\\": []}"\n' >"$scratch/stand-in-llm"
chmod +x "$scratch/stand-in-llm"
echo "mem-propose on one exchange holding a 100 KB paste, a secret in every 180 bytes (redaction and the request, --no-gate: the gate reads a paste of repeated lines as pasted text; llm replaced by a stand-in):"
# shellcheck disable=SC2016 # $1 and $2 are the inner sh's arguments
printf '  %-58s %8s ms\n' "median of 20" "$(time_runs 20 sh -c 'mem-propose --no-gate --llm "$1" --model stand-in <"$2"' - "$scratch/stand-in-llm" "$scratch/paste.jsonl")"
echo

# ---- mem-extract on 100k exchanges ------------------------------------------------------------
big="$out/logs-100k.db"
if [ ! -f "$big" ]; then
  echo "making $big with the real llm (100,000 exchanges; a few minutes)…"
  rm -f "$big.tmp"
  "$venv/bin/python" "$root/Tests/Support/write_exchanges.py" "$big.tmp" 100000 message --fast
  mv "$big.tmp" "$big"
fi
total=$(mem-extract --db "$big" --count)
tail_cursor="r0.t$((total - 20))"
echo "mem-extract on a ${total}-exchange database ($(du -h "$big" | cut -f1)) made by llm 0.36:"
printf '  %-58s %8s ms\n' "20 new exchanges (--after $tail_cursor), median of 50" "$(time_runs 50 mem-extract --db "$big" --after "$tail_cursor")"
cp "$big" "$LLM_USER_PATH/logs.db"
full_ours=$(time_runs 5 mem-extract)
full_llm=$(time_runs 3 llm logs -n 0 --json)
rss_ours=$(peak_kb mem-extract)
cpu_ours=$(cat "$scratch/cpu")
rss_llm=$(peak_kb llm logs -n 0 --json)
cpu_llm=$(cat "$scratch/cpu")
printf '  %-58s %8s ms, peak %s MiB, CPU %s ms\n' "full read: mem-extract > /dev/null (median of 5)" "$full_ours" "$((rss_ours / 1024))" "$cpu_ours"
printf '  %-58s %8s ms, peak %s MiB, CPU %s ms\n' "full read: llm logs -n 0 --json > /dev/null (median of 3)" "$full_llm" "$((rss_llm / 1024))" "$cpu_llm"
awk -v a="$full_llm" -v b="$full_ours" 'BEGIN { printf "  %-58s %8.0f×\n", "speed-up (wall)", a / b }'
awk -v a="$cpu_llm" -v b="$cpu_ours" 'BEGIN { printf "  %-58s %8.0f×\n", "speed-up (CPU, one run each)", a / b }'
rss_small=$(peak_kb mem-extract --limit 20)
printf '  %-58s %8s MiB (flat memory: streaming)\n' "peak memory reading 20 exchanges" "$((rss_small / 1024))"
echo

# ---- merge and render on a 1,000-bullet profile with a 50-op delta -------------------------
"$venv/bin/python" - "$scratch" <<'PY'
import json, sys
scratch = sys.argv[1]
sections = ["Personal Information", "Current Projects", "Interests", "Preferences"]
lines = ["# User profile", ""]
for s in sections:
    lines += [f"## {s}", ""]
    lines += [f"- {s} fact number {i}: something durable about the user" for i in range(250)]
    lines.append("")
open(f"{scratch}/big-profile.md", "w").write("\n".join(lines))
ops = []
for i in range(50):
    s = sections[i % 4]
    kind = ("add", "replace", "remove")[i % 3]
    if kind == "add":
        ops.append({"op": "add", "section": s, "text": f"New fact {i} about the user"})
    elif kind == "replace":
        ops.append({"op": "replace", "section": s, "old": f"{s} fact number {i}: something durable about the user", "text": f"Replaced fact {i}"})
    else:
        ops.append({"op": "remove", "section": s, "old": f"{s} fact number {i}: something durable about the user"})
json.dump({"ops": ops, "sources": [], "through": None, "model": None}, open(f"{scratch}/delta-50.json", "w"))
PY
echo "1,000-bullet profile ($(wc -c <"$scratch/big-profile.md") bytes), 50-op delta, median of 50:"
printf '  %-58s %8s ms\n' "mem-merge (to stdout)" "$(time_runs 50 mem-merge --profile "$scratch/big-profile.md" "$scratch/delta-50.json")"
# shellcheck disable=SC2016 # the sh -c script's "$1".. are its own arguments
# Each in-place run starts from the original profile again (a second run of the same delta
# would change nothing and write nothing); the copy is timed too, as the line says.
printf '  %-58s %8s ms\n' "mem-merge --in-place (history, journal, fsync; + a cp)" "$(time_runs 50 sh -c 'cp "$1" "$2" && exec mem-merge --profile "$2" --in-place "$3"' sh "$scratch/big-profile.md" "$scratch/inplace.md" "$scratch/delta-50.json")"
printf '  %-58s %8s ms\n' "for scale: that cp alone" "$(time_runs 50 cp "$scratch/big-profile.md" "$scratch/copy.md")"
printf '  %-58s %8s ms\n' "mem-render (--max-chars 4000: drops bullets to fit)" "$(time_runs 50 mem-render --profile "$scratch/big-profile.md")"
printf '  %-58s %8s ms\n' "mem-render --max-chars 1000000 (whole profile)" "$(time_runs 50 mem-render --profile "$scratch/big-profile.md" --max-chars 1000000)"
echo

# ---- model traffic: delta vs whole-profile rewrite ----------------------------------------------
# Five typical exchanges, two of them saying something about the user; the scripted model
# answers with a typical two-op delta, and logs exactly what it was sent.
"$venv/bin/python" - "$scratch" <<'PY'
import json, sys
scratch = sys.argv[1]
prompts = [
    "I'm switching our team's backend from Go to Rust this quarter; how do I structure a workspace?",
    "explain this error: thread 'main' panicked at 'index out of bounds: the len is 3 but the index is 5'",
    "summarize: The meeting covered the Q3 roadmap, hiring, and the migration to the new CI system.",
    "I prefer answers with code first and prose after.",
    "what is the difference between Arc and Rc?",
]
with open(f"{scratch}/exchanges.jsonl", "w") as f:
    for i, p in enumerate(prompts, 1):
        f.write(json.dumps({"id": f"ex{i}", "conversation": "c", "model": "scripted", "datetime": "2026-11-24T00:00:0%d" % i,
                            "prompt": p, "system": None, "fragments": [],
                            "response": "Here is a detailed answer with an example. " * 12, "cursor": f"r0.t{i}"}) + "\n")
delta = {"ops": [{"op": "replace", "section": "Personal Information", "old": "Role: Go developer", "text": "Role: Rust developer", "ex": 1},
                 {"op": "add", "section": "Preferences", "text": "Code first, prose after", "ex": 4}]}
json.dump([{"match": "", "reply": json.dumps(delta)}], open(f"{scratch}/rules.json", "w"))
for kb in (1, 2, 8):
    lines = ["# User profile", "", "## Personal Information", "- Role: Go developer"]
    i = 0
    while len("\n".join(lines)) < kb * 1024 - 60:
        lines.append(f"- Durable fact {i} about the user, a typical bullet")
        i += 1
    open(f"{scratch}/profile-{kb}k.md", "w").write("\n".join(lines) + "\n")
PY
echo "model traffic per update (5 exchanges, 2 facts), characters:"
printf '  %-14s %14s %14s %16s %16s %10s\n' "profile" "delta in" "delta out" "rewrite in" "rewrite out" "out ratio"
for kb in 1 2 8; do
  rm -f "$scratch/calls.jsonl"
  LLM_SCRIPTED_RULES="$scratch/rules.json" LLM_SCRIPTED_LOG="$scratch/calls.jsonl" \
    mem-propose --model scripted --profile "$scratch/profile-${kb}k.md" <"$scratch/exchanges.jsonl" >"$scratch/delta.json" 2>/dev/null
  "$venv/bin/python" - "$scratch" "$kb" <<'PY'
import json, sys
scratch, kb = sys.argv[1], sys.argv[2]
call = json.loads(open(f"{scratch}/calls.jsonl").readline())
delta_in = len(call["system"]) + len(call["prompt"])
delta_out = len(json.loads(open(f"{scratch}/rules.json").read())[0]["reply"])
profile = open(f"{scratch}/profile-{kb}k.md").read()
# The rewrite approach sends the same exchanges and the whole profile, and gets the whole
# profile back (plus the two changes).
exchanges = "".join(json.loads(l)["prompt"] + json.loads(l)["response"] for l in open(f"{scratch}/exchanges.jsonl"))
rewrite_in = len(profile) + len(exchanges) + 600
rewrite_out = len(profile) + 40
print(f"  {kb + ' KB':<14} {delta_in:>14,} {delta_out:>14,} {rewrite_in:>16,} {rewrite_out:>16,} {rewrite_out / delta_out:>9.1f}×")
PY
done
echo "  (rewrite in = exchanges + profile + 600 characters of instructions; rewrite out = the profile again)"
echo

# ---- backfill --dry-run on a realistic history --------------------------------------------------
# Conversations of varied length, system prompts, fragments, tool calls, prompts from a few
# words to several KB, three models (scripts/make-bench-db.py). Memory starts after all of
# it, so the whole history is the backfill's range: the porcelain's first command fixes
# the starting point, then mem-backfill reads every exchange, gates and sizes it, and plays
# the passes per model — everything but the model calls.
real="${BENCH_REAL_DB:-$out/real-100k.db}"
if [ ! -f "$real" ]; then
  echo "making $real with llm's Python API (100,000 calls; about 15 minutes)…"
  rm -f "$real.tmp"
  "$venv/bin/python" "$root/scripts/make-bench-db.py" "$real.tmp" 100000
  mv "$real.tmp" "$real"
fi
backfill_user="$scratch/backfill-user"
mkdir -p "$backfill_user"
ln -sf "$real" "$backfill_user/logs.db"
dry_run() {
  LLM_USER_PATH="$backfill_user" LLM_MEMORY_DIR="$backfill_user/memory" "$root/bin/llm-memory" backfill --dry-run
}
dry_run >"$scratch/estimate.txt" 2>&1 || { cat "$scratch/estimate.txt" >&2; exit 1; }
LLM_USER_PATH="$backfill_user" LLM_MEMORY_DIR="$backfill_user/memory" mem-backfill estimate --json >"$scratch/estimate.json"
echo "llm-memory backfill --dry-run on a realistic history ($(du -h "$real" | cut -f1), $(mem-extract --db "$real" --count) exchanges, made by scripts/make-bench-db.py):"
"$venv/bin/python" - "$scratch/estimate.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
print(f"  {e['in_range']:,} exchanges: {e['no_text']:,} without typed text, {e['gated_out']:,} left by the gate, {e['to_send']:,} to send")
for m in e["models"]:
    print(f"    {m['model']:<26} {m['exchanges']:>7,} exchanges {m['calls']:>6,} calls {m['characters']:>12,} characters ~{m['tokens']:>10,} tokens")
print(f"  in all: {e['calls']:,} model calls, {e['characters']:,} characters, about {e['tokens']:,} tokens")
PY
printf '  %-58s %8s ms\n' "wall, median of 3 (the whole porcelain command)" "$(time_runs 3 dry_run)"
rss_dry=$(peak_kb env LLM_USER_PATH="$backfill_user" LLM_MEMORY_DIR="$backfill_user/memory" "$root/bin/llm-memory" backfill --dry-run)
printf '  %-58s %8s ms, peak %s MiB\n' "CPU of one run (user + sys, all its processes)" "$(cat "$scratch/cpu")" "$((rss_dry / 1024))"
echo

# ---- the wrapper ----------------------------------------------------------------------------
bash "$root/scripts/bench-wrapper.sh" "${WRAPPER_RUNS:-20}"

# ---- mem-render ranking by the history ---------------------------------------------------------
echo
bash "$root/scripts/bench-render.sh" "${RENDER_RUNS:-200}"

# ---- the history commands on a year of changes -----------------------------------------------
echo
bash "$root/scripts/bench-history.sh" "${HISTORY_CHANGES:-3000}" "${HISTORY_RUNS:-30}"
