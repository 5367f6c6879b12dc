#!/usr/bin/env bash
# The history commands on a year of changes: `mem-history why`, `log -n 20`, `undo`,
# `forget` and `blame` (and the whole `llm-memory undo`/`forget`, which add the lock,
# mem-merge's commit and a render) on a profile with CHANGES changes (default 3000: a
# dozen a day) made by the real mem-merge (scripts/make-history.py), with their exchanges
# in a logs.db. Median wall times of RUNS runs (default 30), fork and exec included.
# Usage: scripts/bench-history.sh [CHANGES] [RUNS]   (after `make build`; bench.sh calls it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
changes=${1:-3000}
runs=${2:-30}
bin="${TOOLS:-$root/.build/release}"
for t in mem-merge mem-history mem-render; do
  [ -x "$bin/$t" ] || { echo "no $t in $bin: run 'make build' (or set TOOLS)" >&2; exit 1; }
done
# shellcheck source=scripts/bench-common.sh
. "$root/scripts/bench-common.sh"  # median, us

# A tmpfs if there is one: building the history is thousands of fsynced commits.
scratch=$(mktemp -d "$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/bench-history.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" LLM_USER_PATH="$scratch/llm" LLM_MEMORY_DIR="$scratch/llm/memory"
mkdir -p "$HOME" "$LLM_MEMORY_DIR"
unset LLM_MEMORY_DISABLED LLM_MEMORY_UPDATES NO_COLOR

begin=$(us)
probe=$(python3 "$root/scripts/make-history.py" "$bin" "$LLM_MEMORY_DIR" "$LLM_USER_PATH/logs.db" "$changes")
built=$((($(us) - begin) / 1000))
lines=$(wc -l <"$LLM_MEMORY_DIR/history/journal.jsonl")
echo "history: $lines changes over a year ($(du -h "$LLM_MEMORY_DIR/history/journal.jsonl" | cut -f1) journal," \
  "$(grep -c '^- ' "$LLM_MEMORY_DIR/profile.md") bullets, $(du -h "$LLM_USER_PATH/logs.db" | cut -f1) logs.db; built in $((built / 1000)) s)"

# measure N [--restore] CMD…: median wall time and median CPU time (user + system, of the
# command and its children) of N runs, in ms. --restore: the memory dir is put back as it
# was before each run (for commands that change it).
cp -a "$LLM_MEMORY_DIR" "$scratch/saved"
restore() { rm -rf "$LLM_MEMORY_DIR" && cp -a "$scratch/saved" "$LLM_MEMORY_DIR"; }
measure() {
  local n=$1 i again="" TIMEFORMAT='%3R %3U %3S'

  shift
  if [ "$1" = --restore ]; then again=1; shift; fi
  : >"$scratch/wall"
  : >"$scratch/cpu"
  for ((i = 0; i < n; i++)); do
    [ -z "$again" ] || restore
    { time "$@" </dev/null >/dev/null 2>&1; } 2>"$scratch/one" || true
    awk '{ print $1 * 1000 >>"'"$scratch/wall"'"; print ($2 + $3) * 1000 >>"'"$scratch/cpu"'" }' "$scratch/one"
  done
  [ -z "$again" ] || restore
  printf '%8.1f %8.1f' "$(median <"$scratch/wall")" "$(median <"$scratch/cpu")"
}

porcelain="$root/bin/llm-memory"
echo "median of $runs runs, ms (wall, then CPU: user + system; why: \"$probe\"):"
row() { printf '  %-46s %s\n' "$1" "$2"; }
row "mem-history why TEXT" "$(measure "$runs" "$bin/mem-history" why "$probe")"
row "mem-history log -n 20" "$(measure "$runs" "$bin/mem-history" log -n 20)"
row "mem-history undo (prints the delta)" "$(measure "$runs" "$bin/mem-history" undo --force)"
row "mem-history forget TEXT (prints the delta)" "$(measure "$runs" "$bin/mem-history" forget "$probe")"
row "mem-history blame" "$(measure "$runs" "$bin/mem-history" blame)"
row "mem-history log (all $lines changes)" "$(measure 5 "$bin/mem-history" log)"
row "llm-memory undo (lock, commit, render)" "$(measure "$runs" --restore "$porcelain" undo --force)"
row "llm-memory forget TEXT (lock, commit, render)" "$(measure "$runs" --restore "$porcelain" forget "$probe")"
row "why, provenance cache missing (replays all)" "$(measure 5 --restore sh -c "rm -f '$LLM_MEMORY_DIR/history/provenance.json'; '$bin/mem-history' why '$probe'")"
