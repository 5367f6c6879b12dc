# shellcheck shell=bash
# The prelude scripts/bench-wrapper.sh and scripts/bench-plugin.sh share; sourced (bash):
#   bench_prelude VENV RUNS
# sets root (the checkout), runs (RUNS, default 20), venv_bin (the bin dir of
# ${LLM_TEST_VENVS:-.venv-test}/VENV), tools (TOOLS, default the release build), scratch
# (a temp dir, removed on exit), exports a scratch HOME and LLM_USER_PATH (the user's own
# LLM_MEMORY_* locations unset), and writes a typical profile (0600) to $memory/profile.md.
# median (numbers on stdin, one a line), us (the time in µs) and time_runs are for the
# measurements.

bench_prelude() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  # shellcheck disable=SC2034  # used by the scripts that source this
  runs=${2:-20}
  venv_bin="${LLM_TEST_VENVS:-$root/.venv-test}/$1/bin"
  tools="${TOOLS:-$root/.build/release}"
  [ -x "$tools/mem-render" ] || { echo "no mem-render in $tools: run 'make build' (or set TOOLS)" >&2; exit 1; }
  [ -x "$venv_bin/llm" ] || { echo "no $1 venv: run 'make test-env'" >&2; exit 1; }

  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  export HOME="$scratch/home" LLM_USER_PATH="$scratch/llm"
  unset LLM_MEMORY_DIR LLM_MEMORY_DISABLED LLM_LOAD_PLUGINS LLM_MEMORY_BIN_DIR
  memory="$LLM_USER_PATH/memory"
  mkdir -p "$HOME" "$memory"
  cat >"$memory/profile.md" <<'PROFILE'
# User profile

## Personal Information
- Name: Ada
- Role: Rust developer

## Current Projects
- Building a memory add-on for llm

## Interests
- Compilers

## Preferences
- Short answers
PROFILE
  chmod 600 "$memory/profile.md"
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
us() { echo "${EPOCHREALTIME/./}"; }

# time_runs N CMD…: median wall time of N runs, in milliseconds (stdin /dev/null unless redirected).
time_runs() {
  local n=$1
  shift
  local i a b
  for ((i = 0; i < n; i++)); do
    a=$(us)
    "$@" </dev/null >/dev/null 2>&1
    b=$(us)
    echo $((b - a))
  done | median | awk '{ printf "%.2f", $1 / 1000 }'
}
