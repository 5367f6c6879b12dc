#!/usr/bin/env bash
# The main job on a fresh machine, with no API key and nothing leaving it: a few prompts
# through the real llm (the offline `echo` model), one update with the built-in offline
# extractor (LLM_MEMORY_MODEL=local), the resulting profile, and the system prompt the
# next llm call received. Everything happens in a scratch dir; your own llm files are
# never touched. Usage: make demo
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="${LLM_TEST_VENVS:-$root/.venv-test}/llm-0.36"
[ -x "$venv/bin/llm" ] || { echo "run 'make test-env' first" >&2; exit 1; }
[ -x "$root/.build/release/mem-extract" ] || { echo "run 'make build' first" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" LLM_USER_PATH="$scratch/llm" LLM_MEMORY_MODEL=local
export PATH="$root/.build/release:$root/bin:$venv/bin:/usr/bin:/bin"
mkdir -p "$HOME" "$LLM_USER_PATH"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

for prompt in \
  "I'm a Rust developer and I live in Lisbon." \
  "what is the difference between a mutex and a semaphore?" \
  "I'm building a memory add-on for llm in Swift." \
  "I prefer short answers with code first."; do
  say "llm -m echo \"$prompt\""
  llm -m echo "$prompt" </dev/null | sed -n 1,3p
  echo "  …"
done

say "llm-memory update        # LLM_MEMORY_MODEL=local: the offline extractor, no model call"
llm-memory update
say "llm-memory show"
llm-memory show
say "llm-memory status"
llm-memory status

say "llm-memory install-shell bash && bash -ic 'llm -m echo \"what should I learn next?\"'"
llm-memory install-shell bash 2>/dev/null
bash -ic 'llm -m echo "what should I learn next?"' </dev/null 2>/dev/null |
  python3 -c 'import json, sys; d = json.load(sys.stdin); print("system prompt the model received:\n\n" + d["system"]); print("prompt: " + d["prompt"])'
