#!/bin/sh
# What the injected fragment costs per call, in tokens, for profiles of 10 to 300 bullets:
# the figures in README.md ("What the profile costs per call").
#   sh scripts/measure-fragment-tokens.sh
# Tokens are counted with OpenAI's cl100k_base and o200k_base encodings (bpe-openai from
# PyPI, pinned, in a throwaway venv: it ships the encodings, which tiktoken would download).
# mem-render: $TOOLS/mem-render, else the release build, else the debug build.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
render="${TOOLS:-$root/.build/release}/mem-render"
[ -x "$render" ] || render="$root/.build/debug/mem-render"
[ -x "$render" ] || { echo "no mem-render built: run 'make build' or 'swift build' (or set TOOLS)" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install --quiet --disable-pip-version-check 'bpe-openai==0.1.4'
env -u LLM_MEMORY_MAX_CHARS "$scratch/venv/bin/python" "$root/scripts/measure-fragment-tokens.py" "$render" "$scratch"
