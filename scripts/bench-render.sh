#!/usr/bin/env bash
# mem-render on a 300-bullet profile over the 4,000-character budget, where the ranking
# decides what is left out: with no history beside the profile (position decides, what
# mem-render did before it read the history), with a history made by the real mem-merge
# (the profile recorded, then 50 updates each rewording one bullet: the provenance cache
# current), with that cache deleted (the journal replayed on every render: mem-render
# never writes the cache), and the same profile under a budget it fits (the history is not
# read). Median wall times of RUNS runs (default 200), fork and exec included.
# Usage: scripts/bench-render.sh [RUNS]   (after `make build`; bench.sh calls it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-200}
bin="${TOOLS:-$root/.build/release}"
for t in mem-merge mem-render; do
  [ -x "$bin/$t" ] || { echo "no $t in $bin: run 'make build' (or set TOOLS)" >&2; exit 1; }
done
# shellcheck source=scripts/bench-common.sh
. "$root/scripts/bench-common.sh"  # time_runs

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/plain" "$scratch/memory"
python3 - "$scratch" <<'PY'
import json, sys
d = sys.argv[1]
sections = [("Personal Information", 90), ("Current Projects", 120), ("Interests", 60), ("Preferences", 30)]
profile = "# User profile\n"
for name, count in sections:
    profile += f"\n## {name}\n" + "".join(f"- {name} fact {i} of the user\n" for i in range(1, count + 1))
for where in ("plain", "memory"):
    open(f"{d}/{where}/profile.md", "w").write(profile)
for i in range(50):
    name, _ = sections[i % 4]
    op = {"op": "replace", "section": name, "old": f"{name} fact {i // 4 + 1} of the user", "text": f"Changed fact {i}"}
    json.dump({"ops": [op], "sources": [], "through": None}, open(f"{d}/delta-{i}.json", "w"))
PY
for ((i = 0; i < 50; i++)); do
  "$bin/mem-merge" --profile "$scratch/memory/profile.md" --in-place "$scratch/delta-$i.json" 2>/dev/null
done

provenance="$scratch/memory/history/provenance.json"
echo "mem-render, 300 bullets over the 4,000-character budget ($(wc -c <"$scratch/memory/profile.md") bytes;" \
  "history: $(wc -l <"$scratch/memory/history/journal.jsonl") changes, provenance.json $(wc -c <"$provenance") bytes), median of $runs, ms:"
row() { printf '  %-58s %8s\n' "$1" "$2"; }
row "no history (ranked by position)" "$(time_runs "$runs" "$bin/mem-render" --profile "$scratch/plain/profile.md")"
row "history, provenance cache current" "$(time_runs "$runs" "$bin/mem-render" --profile "$scratch/memory/profile.md")"
mv "$provenance" "$scratch/saved.json"
row "history, provenance cache missing (journal replayed)" "$(time_runs "$runs" "$bin/mem-render" --profile "$scratch/memory/profile.md")"
mv "$scratch/saved.json" "$provenance"
row "history, --max-chars 1000000 (fits: history not read)" "$(time_runs "$runs" "$bin/mem-render" --profile "$scratch/memory/profile.md" --max-chars 1000000)"
