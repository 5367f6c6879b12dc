# shellcheck shell=bash
# The `llm` wrapper for bash and zsh (README: Using it every day). Sourced at shell start
# by the line `llm-memory shell-init bash|zsh` prints, after these settings:
#   __llm_memory_bin       the porcelain (llm memory …, render, update --detached)
#   __llm_memory_user_dir  llm's default user dir (when LLM_USER_PATH is unset)
#   __llm_memory_llm       the llm executable; when it changes, the command cache is renewed
#   __llm_memory_site      where llm's Python installs plugins; the same
#   __llm_memory_plugin    1 when llm-user-memory-plugin is installed beside llm
#   __llm_memory_share     this directory
# A call costs a few shell builtins and stats; the only process it starts itself is the
# detached update after a prompt (and a render when the profile changed by hand).
# shellcheck disable=SC2154  # the settings above are assigned by shell-init's output

# shellcheck source=share/llm-memory/words.sh
. "$__llm_memory_share/words.sh"

# One fork: setsid -f detaches the update into its own session, so no job-control line is
# printed and closing the terminal does not stop it.
if command -v setsid >/dev/null 2>&1; then
  __llm_memory_start_update() {
    command setsid -f "$__llm_memory_bin" update --detached </dev/null >/dev/null 2>&1
  }
else
  __llm_memory_start_update() {
    ( "$__llm_memory_bin" update --detached </dev/null >/dev/null 2>&1 & )
  }
fi

# Whether $1 is one of llm's commands (core or plugin), from the cache llm-memory keeps;
# renewed when llm or its plugins changed since.
__llm_memory_is_command() {
  __llm_memory_cache="${LLM_MEMORY_DIR:-${LLM_USER_PATH:-$__llm_memory_user_dir}/memory}/llm-commands"
  __llm_memory_line=""
  if [ ! -s "$__llm_memory_cache" ] || [ "$__llm_memory_llm" -nt "$__llm_memory_cache" ] \
     || [ "$__llm_memory_site" -nt "$__llm_memory_cache" ]; then
    __llm_memory_line=$("$__llm_memory_bin" llm-commands --refresh 2>/dev/null)
  else
    IFS= read -r __llm_memory_line <"$__llm_memory_cache" 2>/dev/null
  fi
  case " $__llm_memory_line " in *" $1 "*) return 0 ;; esac
  return 1
}

# Whether the fragment must be rendered: the profile is newer, or there is a profile
# and no fragment (zsh's -nt is false when the second file is missing; bash's is true).
__llm_memory_stale() {
  [ -e "$1/profile.md" ] && { [ ! -e "$1/fragment.md" ] || [ "$1/profile.md" -nt "$1/fragment.md" ]; }
}

# A failure the user has not seen (an update in the background, a profile that cannot be
# rendered, one that outgrew its budget: <memory dir>/notice), said once on stderr. Moved
# aside first, so a notice written meanwhile waits for the next call instead of being
# removed unseen.
__llm_memory_notice() {
  command mv -f -- "$1/notice" "$1/notice.$$" 2>/dev/null || return 0
  command cat -- "$1/notice.$$" >&2
  command rm -f -- "$1/notice.$$"
}

# Said once that the porcelain is gone (the tools were uninstalled while this shell was
# open). Once per shell, and once in all where the memory dir can keep notified.gone: a
# call in a pipeline (`llm … | less`) runs in a subshell, whose variables are lost.
__llm_memory_gone_warning() {
  [ -z "${__llm_memory_warned:-}" ] || return 0
  __llm_memory_warned=1
  __llm_memory_dir="${LLM_MEMORY_DIR:-${LLM_USER_PATH:-$__llm_memory_user_dir}/memory}"
  __llm_memory_line=""
  [ ! -f "$__llm_memory_dir/notified.gone" ] || IFS= read -r __llm_memory_line <"$__llm_memory_dir/notified.gone"
  [ "$__llm_memory_line" != "$__llm_memory_bin" ] || return 0
  printf 'llm-memory: %s is gone; llm runs without memory\n' "$__llm_memory_bin" >&2
  [ ! -d "$__llm_memory_dir" ] || (umask 077; printf '%s\n' "$__llm_memory_bin" >"$__llm_memory_dir/notified.gone") 2>/dev/null
  return 0
}

llm() {
  if [ ! -x "$__llm_memory_bin" ]; then
    __llm_memory_gone_warning
    command llm "$@"
    return
  fi
  __llm_memory_sub=prompt
  case "${1-}" in
    memory) shift; "$__llm_memory_bin" "$@"; return ;;
    prompt|chat) __llm_memory_sub=$1; shift ;;
    --help|-h|--version) command llm "$@"; return ;;
    -*) ;;
    *) if [ $# -eq 0 ] || __llm_memory_is_command "$1"; then command llm "$@"; return; fi ;;
  esac
  # `--save NAME` writes a template instead of running a prompt: keep the profile out of it.
  for __llm_memory_arg in "$@"; do
    case $__llm_memory_arg in
      --) break ;;
      --save|--save=*) command llm "$__llm_memory_sub" "$@"; return ;;
    esac
  done
  # Off the record: no profile, no update, and the whitespace-only marker fragment, which
  # llm logs with this very call so that no update ever learns it (README: Off the record).
  if __llm_memory_is_true "${LLM_MEMORY_DISABLED:-}"; then
    if [ -r "$__llm_memory_share/off-record.md" ]; then
      command llm "$__llm_memory_sub" --sf "$__llm_memory_share/off-record.md" "$@"
      return
    fi
    if [ -z "${__llm_memory_warned_off_record:-}" ]; then
      __llm_memory_warned_off_record=1
      printf 'llm-memory: %s is missing; LLM_MEMORY_DISABLED calls cannot be kept off the record (llm memory pause can)\n' \
        "$__llm_memory_share/off-record.md" >&2
    fi
    command llm "$__llm_memory_sub" "$@"
    return
  fi
  __llm_memory_dir="${LLM_MEMORY_DIR:-${LLM_USER_PATH:-$__llm_memory_user_dir}/memory}"
  __llm_memory_current=1
  if __llm_memory_stale "$__llm_memory_dir"; then
    "$__llm_memory_bin" render 2>/dev/null || __llm_memory_current=""
  fi
  # On a terminal only (never into a pipe or a script's log); one stat when there is none.
  if [ -t 2 ] && [ -e "$__llm_memory_dir/notice" ]; then
    __llm_memory_notice "$__llm_memory_dir"
  fi
  if [ -s "$__llm_memory_dir/fragment.md" ]; then
    # The plugin reads the same fragment.md when it is current; a file named memory:auto
    # in the current directory would be read by llm instead, so then the path is used.
    __llm_memory_sf=$__llm_memory_dir/fragment.md
    if [ -n "$__llm_memory_plugin" ] && [ ! -e memory:auto ] && [ -n "$__llm_memory_current" ]; then
      case ",${LLM_LOAD_PLUGINS-llm-user-memory-plugin}," in
        *,llm-user-memory-plugin,*) __llm_memory_sf=memory:auto ;;
      esac
    fi
    command llm "$__llm_memory_sub" --sf "$__llm_memory_sf" "$@"
  else
    command llm "$__llm_memory_sub" "$@"
  fi
  __llm_memory_status=$?
  if ! __llm_memory_is_false "${LLM_MEMORY_UPDATES:-}" && [ ! -e "$__llm_memory_dir/paused" ]; then
    __llm_memory_start_update
  fi
  return $__llm_memory_status
}
