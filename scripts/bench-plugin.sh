#!/usr/bin/env bash
# Measures what the plugin adapter's fragment loader adds to an llm call, with the real
# llm 0.36 of the plugin venv (.venv-test/llm-0.36-plugin) and the echo model. Runs are
# interleaved (one of each per round, so drift hits all alike); medians are printed:
#   plain      llm -m echo hi
#   path       llm --sf <memory dir>/fragment.md -m echo hi     (what the wrapper did)
#   auto       llm --sf memory:auto -m echo hi                  (fragment.md current: read)
#   render     llm --sf memory:auto -m echo hi                  (profile newer: mem-render runs)
# Those differences are within the noise of llm's own start-up, so the loader is also
# timed in-process (the venv's python calling it directly): importing the adapter, and
# one call of the loader with fragment.md current (read) and with the profile newer
# (mem-render runs).
# Usage: scripts/bench-plugin.sh [RUNS]   (needs `make build` or TOOLS=<dir of mem-render>,
# and scripts/setup-test-env.sh)
set -euo pipefail
# shellcheck source=scripts/bench-common.sh
. "$(dirname "$0")/bench-common.sh"
bench_prelude llm-0.36-plugin "${1:-}"
export PATH="$tools:$venv_bin:/usr/bin:/bin"
"$tools/mem-render" --profile "$memory/profile.md" >"$memory/fragment.md"
touch -d '2000-01-01' "$memory/profile.md"

# time NAME COMMAND…: one run, µs appended to $scratch/NAME; output must be the echo JSON.
time_one() {
  local name=$1 a b
  shift
  a=$(us)
  "$@" </dev/null >"$scratch/out" 2>&1
  b=$(us)
  grep -q '"prompt": "hi"' "$scratch/out" || { echo "$name failed:" >&2; cat "$scratch/out" >&2; exit 1; }
  echo $((b - a)) >>"$scratch/$name"
}

llm -m echo warm-up </dev/null >/dev/null
for ((i = 0; i < runs; i++)); do
  time_one plain llm -m echo hi
  time_one path llm --sf "$memory/fragment.md" -m echo hi
  time_one auto llm --sf memory:auto -m echo hi
  touch "$memory/profile.md"   # now newer than fragment.md: the loader runs mem-render
  time_one render llm --sf memory:auto -m echo hi
  touch -d '2000-01-01' "$memory/profile.md"
done
# the fragment really was injected
llm --sf memory:auto -m echo hi </dev/null >"$scratch/out"
grep -q 'Rust developer' "$scratch/out" || { echo "memory:auto injected nothing" >&2; exit 1; }

plain=$(median <"$scratch/plain")
awk -v n="$runs" -v plain="$plain" -v path="$(median <"$scratch/path")" -v auto="$(median <"$scratch/auto")" \
    -v render="$(median <"$scratch/render")" 'BEGIN {
  printf "plugin adapter benchmark, llm 0.36 + echo model, %d interleaved runs each, medians\n", n
  printf "  llm -m echo hi                              %7.1f ms\n", plain / 1000
  printf "  llm --sf <fragment.md> -m echo hi           %7.1f ms  (%+.1f ms)\n", path / 1000, (path - plain) / 1000
  printf "  llm --sf memory:auto -m echo hi             %7.1f ms  (%+.1f ms; fragment.md current, read)\n", auto / 1000, (auto - plain) / 1000
  printf "  llm --sf memory:auto, profile newer         %7.1f ms  (%+.1f ms; mem-render runs)\n", render / 1000, (render - plain) / 1000
  printf "  memory:auto vs the file path                %+7.1f ms\n", (auto - path) / 1000
}'

"$venv_bin/python" - "$memory" "$runs" <<'PY'
import os, statistics, subprocess, sys, time
memory, runs = sys.argv[1], int(sys.argv[2])
profile = os.path.join(memory, "profile.md")
imports = []
for _ in range(max(runs // 2, 5)):
    out = subprocess.run([sys.executable, "-c", "import time, llm; t = time.perf_counter(); "
                          "import llm_user_memory_adapter; print(time.perf_counter() - t)"],
                         capture_output=True, text=True, check=True).stdout
    imports.append(float(out))
import llm_user_memory_adapter as adapter
def timed(n, before=None):
    times = []
    for _ in range(n):
        if before:
            before()
        t = time.perf_counter()
        fragment = adapter.memory_loader("auto")
        times.append(time.perf_counter() - t)
        assert "Rust developer" in fragment
    return statistics.median(times) * 1000
old = 946684800  # 2000-01-01: older than fragment.md
read = timed(runs * 10, lambda: os.utime(profile, (old, old)))
render = timed(runs * 2, lambda: os.utime(profile, None))
print("  in-process: import of the adapter          %7.2f ms" % (statistics.median(imports) * 1000))
print("  in-process: memory:auto, fragment.md read  %7.2f ms" % read)
print("  in-process: memory:auto, mem-render runs   %7.2f ms" % render)
PY
