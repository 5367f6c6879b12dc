# shellcheck shell=sh
# llm-memory's shell integration: install-shell, uninstall-shell, shell-status, shell-init
# and llm-commands. The wrapper itself is share/llm-memory/wrapper.sh (bash, zsh) and
# wrapper.fish; shell-init prints the few settings it needs and a line that sources it.
# Sourced by bin/llm-memory, which holds the settings and helpers used here.

# ---- the rc block ---------------------------------------------------------------------

# The startup file each shell reads, and whether we own the whole file (fish conf.d).
rc_file() {
  case "$1" in
    bash) printf '%s\n' "$HOME/.bashrc" ;;
    zsh) printf '%s\n' "${ZDOTDIR:-$HOME}/.zshrc" ;;
    fish) printf '%s\n' "${XDG_CONFIG_HOME:-$HOME/.config}/fish/conf.d/llm-memory.fish" ;;
    *) usage_error "unknown shell '$1' (bash, zsh or fish)" ;;
  esac
}

shell_from_env() {
  case "${SHELL:-}" in
    */bash) echo bash ;;
    */zsh) echo zsh ;;
    */fish) echo fish ;;
    *) die_with 64 "cannot tell your shell from SHELL='${SHELL:-}'; name it: $PROGRAM install-shell bash|zsh|fish" ;;
  esac
}

# rc_block SHELL [NOTE]: the marked block install-shell adds; NOTE goes at the end of its
# first line (uninstall reads it back: "(newline added)").
rc_block() {
  case "$1" in
    fish)
      printf '%s\n' "$BLOCK_BEGIN${2:-}" \
        "# llm-user-memory: llm remembers you. Remove with: llm memory uninstall-shell fish" \
        "if test -x '$SELF'" \
        "    '$SELF' shell-init fish | source" \
        "end" \
        "$BLOCK_END"
      ;;
    *)
      printf '%s\n' "$BLOCK_BEGIN${2:-}" \
        "# llm-user-memory: llm remembers you. Remove with: llm memory uninstall-shell $1" \
        "if [ -x '$SELF' ]; then eval \"\$('$SELF' shell-init $1)\"; fi" \
        "$BLOCK_END"
      ;;
  esac
}

has_block() {
  [ -f "$1" ] && grep -q "^$BLOCK_BEGIN" "$1"
}

cmd_install_shell() {
  [ $# -le 1 ] || { shift; unexpected "$@"; }
  case "${1:-}" in -?*) unexpected "$1" ;; esac
  shell=${1:-$(shell_from_env)} || exit $?
  rc=$(rc_file "$shell") || exit $?
  case "$SELF" in
    *"'"*) die_with 64 "the path of $PROGRAM contains a single quote; install it elsewhere" ;;
  esac
  if has_block "$rc"; then
    if grep -qF -- "'$SELF'" "$rc"; then
      note "already installed in $rc"
      return 0
    fi
    # The block runs another llm-memory (an earlier `make install`, a wheel under another
    # Python): it is replaced, so that the shell runs the one the user just asked for.
    note "$rc runs another llm-memory; replacing its block"
    cmd_uninstall_shell "$shell"
  fi
  mkdir -p -- "$(dirname -- "$rc")" || die_with 73 "cannot create $(dirname -- "$rc")"
  if [ -f "$rc" ]; then
    [ -f "$rc.llm-memory.bak" ] || cp -p -- "$rc" "$rc.llm-memory.bak" ||
      die_with 73 "cannot back up $rc"
    # A file without a final newline gets one, remembered in the block's first line so
    # uninstall can take it away again. ($(…) drops a final newline: empty means one.)
    if [ -n "$(tail -c 1 -- "$rc")" ]; then
      printf '\n' >>"$rc"
      rc_block "$shell" " (newline added)" >>"$rc"
    else
      rc_block "$shell" >>"$rc"
    fi
  else
    umask 022
    rc_block "$shell" >"$rc"
    umask 077
  fi
  note "installed in $rc; open a new shell (or: . $rc) to use it"
  start_memory_here
}

# start_memory_here: memory starts learning now (its starting point is fixed, under the
# update lock); says once how many earlier exchanges llm has logged and that
# `llm memory backfill` learns from them. Never fails install-shell: without the tools
# or the lock, the first update fixes the starting point instead.
start_memory_here() {
  have_tools || return 0
  ensure_memory_dir
  lock_memory_dir 10 || return 0
  set_origin_or_warn
  exec 9<&-
  if have_tool mem-backfill && [ -e "$ORIGIN_FILE" ]; then
    tool mem-backfill status --note 2>/dev/null | while IFS= read -r line; do note "$line"; done
  fi
}

about_install_shell() {
  cat <<'ABOUT'
Adds the llm wrapper to the startup file of SHELL (default: the shell $SHELL names):
one marked block in ~/.bashrc or ${ZDOTDIR:-~}/.zshrc, or the file
~/.config/fish/conf.d/llm-memory.fish. Running it again changes nothing; the first
change keeps a backup (<file>.llm-memory.bak). uninstall-shell takes it away again.
Memory learns from what you say from now on: the first install fixes its starting point
at the newest exchange llm has logged, and says how many earlier ones there are —
`llm memory backfill` learns from those, on purpose (it shows the cost first).
ABOUT
}

cmd_uninstall_shell() {
  [ $# -le 1 ] || { shift; unexpected "$@"; }
  case "${1:-}" in -?*) unexpected "$1" ;; esac
  shells=${1:-bash zsh fish}
  removed=""
  for shell in $shells; do
    rc=$(rc_file "$shell") || exit $?
    has_block "$rc" || continue
    # Our own conf.d file goes; one that was there before install is restored below.
    if [ "$shell" = fish ] && [ ! -f "$rc.llm-memory.bak" ]; then
      rm -f -- "$rc"
    else
      tmp=$(mktemp "$rc.llm-memory.tmp.XXXXXX") || die_with 73 "cannot create a temp file beside $rc"
      # Drop the block's lines. If install added a newline before it and nothing was
      # written after it since, take that newline away again.
      awk -v begin="$BLOCK_BEGIN" -v end="$BLOCK_END" '
        index($0, begin) == 1 { skip = 1; if ($0 != begin) { chop = 1; at = n }; next }
        skip && $0 == end { skip = 0; next }
        skip { next }
        { lines[++n] = $0 }
        END {
          for (i = 1; i <= n; i++) {
            if (chop && i == n && at == n) printf "%s", lines[i]; else print lines[i]
          }
        }' "$rc" >"$tmp" || die_with 74 "cannot rewrite $rc"
      if [ ! -s "$tmp" ] && [ ! -f "$rc.llm-memory.bak" ]; then
        rm -f -- "$tmp" "$rc"
      else
        # Rewrite in place: keeps the file's mode, owner, and a symlink a dotfile manager made.
        cat -- "$tmp" >"$rc" || die_with 74 "cannot rewrite $rc"
        rm -f -- "$tmp"
      fi
      rm -f -- "$rc.llm-memory.bak"
    fi
    removed="$removed $rc"
  done
  if [ -n "$removed" ]; then
    note "removed from:$removed"
  elif [ $# -eq 1 ]; then
    note "not installed in $1"
  else
    note "not installed in any shell"
  fi
}

about_uninstall_shell() {
  cat <<'ABOUT'
Removes the llm wrapper's block from SHELL's startup file, leaving the file byte for
byte as it was before install-shell. Without SHELL, from every shell it is installed
in (bash, zsh and fish): uninstalling is meant to leave nothing behind.
ABOUT
}

# shell_status_lines PREFIX: one line per shell the wrapper is installed in.
shell_status_lines() {
  found=""
  for shell in bash zsh fish; do
    rc=$(rc_file "$shell")
    if has_block "$rc"; then
      printf '%s%s: installed in %s\n' "$1" "$shell" "$rc"
      found=1
    fi
  done
  [ -n "$found" ] || printf '%snot installed (llm memory install-shell)\n' "$1"
}

cmd_shell_status() {
  no_arguments "$@"
  shell_status_lines ""
}

about_shell_status() {
  cat <<'ABOUT'
Says which shells' startup files hold the llm wrapper.
ABOUT
}

# ---- llm's Python ---------------------------------------------------------------------

# find_llm_python LLM: sets $llm_python to the Python that runs the llm executable LLM and
# $llm_site to where that Python installs packages (where `llm install` puts plugins),
# both as that Python says (share/llm-memory/llm_info.py). Tried in order: the python
# beside llm's real file (a virtualenv, pipx, uv), the interpreter its #! line names when
# that is a python at a real path (pip --user, Homebrew), python3 on PATH (a
# `#!/usr/bin/env python3` launcher). Each must import llm. Fails when none does.
# shellcheck disable=SC2154  # ($resolved: set by resolve_links, in bin/llm-memory)
find_llm_python() {
  resolve_links "$1"
  interpreter=""
  first_line=""
  IFS= read -r first_line <"$resolved" 2>/dev/null || :
  case $first_line in
    '#!/'*)
      interpreter=${first_line#??}
      interpreter=${interpreter%% *}
      case ${interpreter##*/} in python*) ;; *) interpreter="" ;; esac
      ;;
  esac
  for llm_python in "${resolved%/*}/python" "${resolved%/*}/python3" "$interpreter" python3; do
    [ -n "$llm_python" ] || continue
    llm_site=$("$llm_python" "$SHARE/llm_info.py" site </dev/null 2>/dev/null) && [ -n "$llm_site" ] && return 0
  done
  return 1
}

# find_llm_python_cached LLM: find_llm_python, remembered in $LLM_PYTHON_CACHE (three
# lines: llm's real file, its Python, that Python's site dir) while that file is not newer
# than the cache, so a new shell does not start Python (~20 ms) to learn it again. `llm
# install`/`pip install -U llm` rewrite llm's file, and with it the answer.
find_llm_python_cached() {
  resolve_links "$1"
  cached_llm="" llm_python="" llm_site=""
  # (-nt is not in POSIX, but in every sh this runs under: dash, bash, busybox, macOS sh.)
  # shellcheck disable=SC3013
  if [ -s "$LLM_PYTHON_CACHE" ] && [ ! "$resolved" -nt "$LLM_PYTHON_CACHE" ]; then
    { IFS= read -r cached_llm && IFS= read -r llm_python && IFS= read -r llm_site; } <"$LLM_PYTHON_CACHE" 2>/dev/null || :
    [ "$cached_llm" = "$resolved" ] && [ -n "$llm_site" ] && [ -d "$llm_site" ] && return 0
  fi
  find_llm_python "$1" || return 1
  # (A subshell: ensure_memory_dir and write_file exit on failure; a cache is optional.)
  (ensure_memory_dir && printf '%s\n' "$resolved" "$llm_python" "$llm_site" | write_file "$LLM_PYTHON_CACHE") 2>/dev/null || true
}

# ---- shell-init -----------------------------------------------------------------------

# replace_all TEXT FROM TO: sets $replaced to TEXT with every FROM replaced by TO.
replace_all() {
  replace_rest=$1
  replaced=""
  while :; do
    case $replace_rest in
      *"$2"*)
        replaced="$replaced${replace_rest%%"$2"*}$3"
        replace_rest=${replace_rest#*"$2"}
        ;;
      *) break ;;
    esac
  done
  replaced="$replaced$replace_rest"
}

# quote SHELL VALUE: sets $quoted to VALUE as one single-quoted word of SHELL (fish's
# single quotes take \\ and \' as escapes; sh's take nothing, so ' becomes '\'').
quote() {
  if [ "$1" = fish ]; then
    replace_all "$2" "\\" "\\\\"
    replace_all "$replaced" "'" "\\'"
  else
    replace_all "$2" "'" "'\\''"
  fi
  quoted="'$replaced'"
}

# Prints what the rc block evaluates: the wrapper's settings, then the line that sources
# the wrapper (share/llm-memory/wrapper.sh or wrapper.fish). Runs at every shell start.
cmd_shell_init() {
  [ $# -eq 1 ] || { [ $# -eq 0 ] && usage_error "which shell?"; shift; unexpected "$@"; }
  case $1 in
    bash | zsh | fish) ;;
    *) unexpected "$1" ;;
  esac
  llm_path=$(command -v llm 2>/dev/null || true)
  # Plugins are Python packages where llm's Python installs them: when that directory
  # changes, the wrapper refreshes its list of llm's commands.
  llm_site=""
  [ -z "$llm_path" ] || find_llm_python_cached "$llm_path" || llm_site=""
  # With llm-user-memory-plugin installed beside llm (integrations/), the wrapper passes
  # `--sf memory:auto`, so llm logs the fragment under that name instead of a file path.
  plugin=""
  if [ -n "$llm_site" ]; then
    for dist in "$llm_site"/llm_user_memory_plugin-*.dist-info; do
      [ -d "$dist" ] && plugin=1
    done
  fi
  # The share dir without its "bin/.." (it is shown in `type llm` and error messages).
  share_dir=$(cd -- "$SHARE" && pwd -P) || share_dir=$SHARE
  for setting in \
    "bin=$SELF" \
    "user_dir=$LLM_DEFAULT_USER_DIR" \
    "llm=${llm_path:-/nonexistent}" \
    "site=${llm_site:-/nonexistent}" \
    "plugin=$plugin" \
    "share=$share_dir"; do
    quote "$1" "${setting#*=}"
    if [ "$1" = fish ]; then
      printf 'set -g __llm_memory_%s %s\n' "${setting%%=*}" "$quoted"
    else
      printf '__llm_memory_%s=%s\n' "${setting%%=*}" "$quoted"
    fi
  done
  if [ "$1" = fish ]; then
    # The switch words as fish lists (bash and zsh read words.sh itself).
    __llm_memory_fish_words
    quote fish "$share_dir/wrapper.fish"
    printf 'source %s\n' "$quoted"
  else
    quote sh "$share_dir/wrapper.sh"
    printf '. %s\n' "$quoted"
  fi
}

about_shell_init() {
  cat <<'ABOUT'
Prints what the startup file's block evaluates: the wrapper's settings (where llm-memory,
llm and llm's plugins are) and a line that sources the wrapper itself
(share/llm-memory/wrapper.sh for bash and zsh, wrapper.fish for fish).
ABOUT
}

# ---- llm-commands ---------------------------------------------------------------------

# Caches the names of llm's commands (core and plugins), as llm's own Python lists them
# (llm.cli.cli.commands), so the wrapper can tell `llm logs` (a command) from
# `llm "explain logs"` (a prompt).
cmd_llm_commands() {
  refresh=""
  for arg in "$@"; do
    case $arg in
      --refresh) refresh=1 ;;
      *) unexpected "$arg" ;;
    esac
  done
  if [ -z "$refresh" ] && [ -s "$COMMAND_CACHE" ]; then
    cat -- "$COMMAND_CACHE"
    return
  fi
  llm_path=$(command -v llm 2>/dev/null) || die_with 69 "llm is not on PATH"
  find_llm_python "$llm_path" ||
    die_with 69 "cannot find the Python that runs $llm_path (none of: python beside it, its #! interpreter, python3 on PATH imports llm)"
  commands=$("$llm_python" "$SHARE/llm_info.py" commands </dev/null 2>/dev/null) ||
    die_with 69 "$llm_python could not list llm's commands"
  # The list is printed even when the cache cannot be written (a read-only memory dir):
  # the wrapper uses what it prints, so `llm logs` never becomes a prompt.
  # (A subshell: ensure_memory_dir and write_file exit on failure.)
  (ensure_memory_dir && printf '%s\n' "$commands" | write_file "$COMMAND_CACHE") 2>/dev/null || true
  printf '%s\n' "$commands"
}

about_llm_commands() {
  cat <<'ABOUT'
Prints the names of llm's commands, core and plugins, on one line, as llm's own Python
lists them; the wrapper runs these untouched. Cached in llm-commands in the memory dir;
--refresh asks llm again (the wrapper does when llm or its plugins changed).
ABOUT
}
