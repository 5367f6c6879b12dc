#!/bin/sh
# Creates the project-local virtualenvs the tests use (never a global install):
#   .venv-test/llm-0.36    llm 0.36 + llm-echo + the test-only `scripted` and `facts`
#                          models and `hello-plugin` command
#   .venv-test/llm-0.31.1  llm 0.31.1 + llm-echo (the legacy log schema)
#   .venv-test/llm-0.36-plugin  llm 0.36 + llm-echo + llm-user-memory-plugin (llm install -e)
# Versions are pinned in Tests/Support/requirements-llm-*.txt. Re-running is cheap:
# a venv whose requirements file has not changed is left as it is.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
base="${LLM_TEST_VENVS:-$root/.venv-test}"
python="${PYTHON:-python3}"
mkdir -p "$base"
for version in 0.36 0.31.1; do
  venv="$base/llm-$version"
  req="$root/Tests/Support/requirements-llm-$version.txt"
  stamp="$venv/.requirements"
  if [ -x "$venv/bin/llm" ] && [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then
    continue
  fi
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  if [ "$version" = 0.36 ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps \
      "$root/Tests/Support/llm-scripted-model"
  fi
  cp "$req" "$stamp"
done
# The test-only plugin command `llm hello-plugin` (the shell wrapper must pass plugin
# commands through), also into an llm-0.36 venv made before it was added.
venv="$base/llm-0.36"
if ! "$venv/bin/python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("llm_user_memory_test_command") is None)'; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps \
    "$root/Tests/Support/llm-test-command"
fi
# The test-only model `facts` (Tests/Support/llm-facts-model: the crash and concurrency
# tests' update model), also into an llm-0.36 venv made before it was added.
if ! "$venv/bin/python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("llm_user_memory_facts_model") is None)'; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps \
    "$root/Tests/Support/llm-facts-model"
fi
# .venv-test/llm-0.36-plugin: llm 0.36 + llm-echo + the plugin adapter
# (integrations/llm-user-memory-plugin), installed the documented way, `llm install -e`.
# A venv of its own, so the other venvs' `llm plugins` and commands stay as they were.
venv="$base/llm-0.36-plugin"
req="$root/Tests/Support/requirements-llm-0.36.txt"
plugin="$root/integrations/llm-user-memory-plugin"
stamp="$venv/.requirements"
if ! { [ -x "$venv/bin/llm" ] && [ -f "$stamp" ] && cat "$req" "$plugin/pyproject.toml" | cmp -s - "$stamp"; }; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  "$venv/bin/llm" install -e "$plugin" >/dev/null
  cat "$req" "$plugin/pyproject.toml" >"$stamp"
fi
echo "test venvs ready in $base"
