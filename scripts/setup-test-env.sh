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
  cp "$req" "$stamp"
done
# The test-only plugins (Tests/Support): the `scripted` and `facts` models and the plugin
# command `llm hello-plugin`. Each is installed again whenever its files change (a stamp
# of their content in the venv), so an existing venv always has the current ones.
venv="$base/llm-0.36"
for plugin in llm-scripted-model llm-facts-model llm-test-command; do
  dir="$root/Tests/Support/$plugin"
  stamp="$venv/.$plugin"
  sum=$(find "$dir" -maxdepth 1 -type f \( -name '*.py' -o -name '*.toml' \) | sort | xargs cat | cksum)
  if [ "$sum" != "$(cat "$stamp" 2>/dev/null)" ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$dir"
    printf '%s\n' "$sum" >"$stamp"
  fi
done
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
