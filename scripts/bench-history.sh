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

# time_ms N CMD…: median wall time of N runs, in ms.
time_ms() {
  local n=$1 i a
  shift
  for ((i = 0; i < n; i++)); do
    a=$(us)
    "$@" </dev/null >/dev/null 2>&1 || true
    echo $(($(us) - a))
  done | median | awk '{ printf "%.1f", $1 / 1000 }'
}

# A porcelain command that changes the profile, then the change undone again by
# restoring the memory dir, so every run starts from the same year of history.
cp -a "$LLM_MEMORY_DIR" "$scratch/saved"
restore() { rm -rf "$LLM_MEMORY_DIR" && cp -a "$scratch/saved" "$LLM_MEMORY_DIR"; }
time_changing() {
  local n=$1 i a
  shift
  for ((i = 0; i < n; i++)); do
    restore
    a=$(us)
    "$@" </dev/null >/dev/null 2>&1 || true
    echo $(($(us) - a))
  done | median | awk '{ printf "%.1f", $1 / 1000 }'
  restore
}

porcelain="$root/bin/llm-memory"
echo "median of $runs runs, ms (why: \"$probe\"):"
printf '  %-44s %8s\n' "mem-history why TEXT" "$(time_ms "$runs" "$bin/mem-history" why "$probe")"
printf '  %-44s %8s\n' "mem-history log -n 20" "$(time_ms "$runs" "$bin/mem-history" log -n 20)"
printf '  %-44s %8s\n' "mem-history undo (prints the delta)" "$(time_ms "$runs" "$bin/mem-history" undo --force)"
printf '  %-44s %8s\n' "mem-history forget TEXT (prints the delta)" "$(time_ms "$runs" "$bin/mem-history" forget "$probe")"
printf '  %-44s %8s\n' "mem-history blame" "$(time_ms "$runs" "$bin/mem-history" blame)"
printf '  %-44s %8s\n' "mem-history log (all $lines changes)" "$(time_ms 5 "$bin/mem-history" log)"
printf '  %-44s %8s\n' "llm-memory undo (lock, commit, render)" "$(time_changing "$runs" "$porcelain" undo --force)"
printf '  %-44s %8s\n' "llm-memory forget TEXT (lock, commit, render)" "$(time_changing "$runs" "$porcelain" forget "$probe")"
rm -f "$LLM_MEMORY_DIR/history/provenance.json"
printf '  %-44s %8s\n' "why, provenance cache missing (replays all)" "$(time_changing 5 sh -c "rm -f '$LLM_MEMORY_DIR/history/provenance.json'; '$bin/mem-history' why '$probe'")"
