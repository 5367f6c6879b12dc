#!/usr/bin/env bash
# Measures what the `llm` shell wrapper costs, in a real bash with the real llm:
#  1. `llm -m echo hi` through the wrapper vs `command llm -m echo hi`, interleaved,
#     median ratio (the wrapper injects the fragment and starts the background update);
#  2. the wrapper's own work: the same two calls with `llm` replaced by a program that
#     exits at once (/bin/true), so everything measured is ours.
# Usage: scripts/bench-wrapper.sh [RUNS]   (needs `make build` or TOOLS=<dir of mem-render>,
# and `make test-env`)
set -euo pipefail
# shellcheck source=scripts/bench-common.sh
. "$(dirname "$0")/bench-common.sh"
bench_prelude llm-0.36 "${1:-}"
mkdir -p "$scratch/stub"
ln -s /bin/true "$scratch/stub/llm"

# measure PATH_PREFIX OUT: interleaved wrapper/plain timings (µs) into OUT.wrapped/OUT.plain
measure() {
  local path_prefix=$1 out=$2
  PATH="$path_prefix:$tools:/usr/bin:/bin" bash --norc --noprofile -c '
    eval "$("$1"/bin/llm-memory shell-init bash)"
    "$1"/bin/llm-memory render
    us() { local t=${EPOCHREALTIME/./}; echo "$t"; }
    for ((i = 0; i < $2; i++)); do
      a=$(us); llm -m echo hi >/dev/null 2>&1; b=$(us)
      c=$(us); command llm -m echo hi >/dev/null 2>&1; d=$(us)
      echo $((b - a)) >>"$3.wrapped"; echo $((d - c)) >>"$3.plain"
    done' bench "$root" "$runs" "$out"
  # let the last background update finish before the next measurement
  flock "$LLM_USER_PATH/memory" true
}

measure "$venv_bin" "$scratch/real"
LLM_MEMORY_UPDATES=false measure "$venv_bin" "$scratch/real-noupdate"
measure "$scratch/stub" "$scratch/stub-run"
LLM_MEMORY_UPDATES=false measure "$scratch/stub" "$scratch/stub-noupdate"

real_w=$(median <"$scratch/real.wrapped"); real_p=$(median <"$scratch/real.plain")
rn_w=$(median <"$scratch/real-noupdate.wrapped"); rn_p=$(median <"$scratch/real-noupdate.plain")
stub_w=$(median <"$scratch/stub-run.wrapped"); stub_p=$(median <"$scratch/stub-run.plain")
nou_w=$(median <"$scratch/stub-noupdate.wrapped"); nou_p=$(median <"$scratch/stub-noupdate.plain")
awk -v rnw="$rn_w" -v rnp="$rn_p" -v rw="$real_w" -v rp="$real_p" -v sw="$stub_w" -v sp="$stub_p" -v nw="$nou_w" -v np="$nou_p" -v n="$runs" 'BEGIN {
  printf "wrapper benchmark, %d interleaved runs each, medians\n", n
  printf "  llm -m echo hi through the wrapper:   %8.1f ms\n", rw / 1000
  printf "  command llm -m echo hi:               %8.1f ms\n", rp / 1000
  printf "  ratio:                                %8.3f\n", rw / rp
  printf "  ratio, LLM_MEMORY_UPDATES=false:      %8.3f  (%.1f vs %.1f ms)\n", rnw / rnp, rnw / 1000, rnp / 1000
  printf "  wrapper own work (llm = /bin/true):   %8.2f ms  (with the background update start)\n", (sw - sp) / 1000
  printf "  wrapper own work, LLM_MEMORY_UPDATES=false: %.2f ms\n", (nw - np) / 1000
}'
