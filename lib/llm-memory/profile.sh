# shellcheck shell=sh
# llm-memory's commands on the profile and the memory's state: show, path, edit, load,
# clear, render, pause, resume, status. Sourced by bin/llm-memory (edit, load, clear and
# render with lib/llm-memory/update.sh, for the lock and rendering; status with shell.sh;
# show with history.sh, for show --why).

# ---- show, path -----------------------------------------------------------------------

cmd_show() {
  if [ "${1:-}" = --why ]; then
    shift
    show_why "$@"
    return
  fi
  no_arguments "$@"
  if [ -e "$PROFILE" ]; then
    cat -- "$PROFILE"
  else
    note "no profile yet ($PROFILE); it is created by the first update"
  fi
}

about_show() {
  cat <<'ABOUT'
Prints the profile (Markdown) as it is. With no profile yet, says so on stderr and
exits 0. --why: the profile with each bullet's source beside it, like git blame — the
change that last wrote it (#ID DATE WHAT: an update and its model, or a hand edit,
load, edit, undo; * when a hand edit is not yet recorded). --json: one object per line.
ABOUT
}

cmd_path() {
  [ $# -le 1 ] || { shift; unexpected "$@"; }
  case "${1:-}" in
    --fragment) printf '%s\n' "$FRAGMENT" ;;
    --dir) printf '%s\n' "$MEMORY_DIR" ;;
    --tools) tools_dir ;;
    "" | --profile) printf '%s\n' "$PROFILE" ;;
    *) unexpected "$1" ;;
  esac
}

# The directory of the mem-* tools this porcelain runs, absolute, so that pipelines can
# put them on PATH wherever they were installed (inside the wheel: its package's bin/).
tools_dir() {
  require_tools
  if [ -n "$TOOLS" ]; then
    (cd -- "$TOOLS" && pwd)
  else
    dirname -- "$(command -v mem-extract)"
  fi
}

about_path() {
  cat <<'ABOUT'
Prints where the profile is (the default), or the fragment (--fragment), or the memory
dir (--dir): $LLM_MEMORY_DIR, else <llm user dir>/memory, or the directory holding the
mem-* tools this porcelain runs (--tools: for export PATH="$(llm memory path --tools):$PATH";
exit 69 when there are none). Creates nothing.
ABOUT
}

# ---- edit, load, clear, render --------------------------------------------------------

cmd_edit() {
  no_arguments "$@"
  require_tools
  ensure_memory_dir
  editor="${VISUAL:-${EDITOR:-vi}}"
  if ! lock_memory_dir 0; then
    note "waiting for the running update to finish…"
    lock_memory_dir 600 || die_with 75 "the update lock is still held; try again later"
  fi
  set_origin_or_warn
  draft="$MEMORY_DIR/.edit.md"
  # The draft is a regular file an earlier edit made; a symlink there was planted (the
  # editor and the copy below would write through it): it goes.
  if [ -L "$draft" ]; then
    rm -f -- "$draft"
  fi
  if [ -e "$draft" ]; then
    # Left by an edit that was not saved: open it again rather than lose that text.
    note "continuing the unsaved edit kept in $draft (delete it to start again from the profile)"
  elif [ -e "$PROFILE" ]; then
    cp -- "$PROFILE" "$draft" || die_with 74 "cannot copy $PROFILE"
  else
    printf '{"ops":[]}' | tool mem-merge --profile "$PROFILE" >"$draft" 2>/dev/null ||
      die_with 74 "cannot prepare $draft"
  fi
  # $VISUAL/$EDITOR may carry arguments ("code -w"), as git allows. The editor does not
  # get the lock's descriptor: an editor server it starts must not keep the lock.
  # shellcheck disable=SC2086
  $editor "$draft" 9<&- ||
    die "the editor exited with an error; the profile was not changed (your text is kept in $draft; the next edit opens it)"
  if [ -e "$PROFILE" ] && cmp -s -- "$draft" "$PROFILE"; then
    rm -f -- "$draft"
    note "no changes"
    release_lock_and_follow_up
    return 0
  fi
  tool mem-merge --profile "$PROFILE" --in-place --load "$draft" --action edit || {
    status=$?
    die_with "$status" "the edited profile was not saved; your text is kept in $draft (the next edit opens it)"
  }
  rm -f -- "$draft"
  render_fragment || die_with "$?" "the profile was saved but the fragment could not be rendered"
  release_lock_and_follow_up
}

about_edit() {
  cat <<'ABOUT'
Opens the profile in $VISUAL, else $EDITOR, else vi, holding the update lock (an update
started meanwhile runs once the edit is done). What you save is checked (UTF-8 text
under 1 MiB) and replaces the profile; the old one goes to the history. An editor that
fails, or a file that is not text, changes nothing and keeps your draft, which the next
edit reopens.
ABOUT
}

# load FILE | load -: FILE may also be a pipe or a process substitution (/dev/stdin,
# <(…)), and - is stdin; those are read once, into a private temp file in the memory dir
# (mktemp: 0600), before the lock is taken, and that copy is loaded. The copy stops just
# past mem-merge's limit (1 MiB), so an endless input is refused rather than filling the disk.
cmd_load() {
  [ $# -ge 1 ] || usage_error "which file? (- for stdin)"
  [ $# -eq 1 ] || { shift; unexpected "$@"; }
  file=$1
  if [ "$file" != - ]; then
    [ -e "$file" ] || die_with 66 "$file: no such file"
    [ ! -d "$file" ] || die_with 66 "$file: a directory, not a file"
    [ -r "$file" ] || die_with 66 "$file: not readable"
  fi
  require_tools
  ensure_memory_dir
  if [ "$file" = - ] || [ ! -f "$file" ]; then
    load_tmp=$(mktemp "$MEMORY_DIR/.load.tmp.$$.XXXXXX" 2>/dev/null) ||
      die_with 73 "cannot create a temp file in $MEMORY_DIR"
    trap 'rm -f -- "$load_tmp"' EXIT
    trap 'exit 130' INT TERM HUP
    if [ "$file" = - ]; then
      head -c 1048577 >"$load_tmp" || die_with 74 "cannot read stdin"
    else
      head -c 1048577 -- "$file" >"$load_tmp" || die_with 74 "cannot read $file"
    fi
    remove_stale_tmp "$MEMORY_DIR/.load"
  fi
  lock_memory_dir 600 || die_with 75 "the update lock is held; try again later"
  set_origin_or_warn
  if [ -n "${load_tmp:-}" ]; then
    # mem-merge's messages name what the user gave, not the copy.
    [ "$file" = - ] && file=stdin
    tool mem-merge --profile "$PROFILE" --in-place --load "$load_tmp" --load-name "$file" || exit $?
  else
    tool mem-merge --profile "$PROFILE" --in-place --load "$file" || exit $?
  fi
  render_fragment || die_with "$?" "the profile was loaded but the fragment could not be rendered"
  release_lock_and_follow_up
}

about_load() {
  cat <<'ABOUT'
Replaces the profile with FILE's text (UTF-8 text under 1 MiB); the old one goes to the
history. - reads stdin; a pipe or process substitution works too.
  printf '# Profile\n- Likes tea\n' | llm-memory load -
ABOUT
}

cmd_clear() {
  yes=""
  for arg in "$@"; do
    case $arg in
      --yes | -y) yes=1 ;;
      *) unexpected "$arg" ;;
    esac
  done
  require_tools
  if [ -z "$yes" ]; then
    confirm "Clear the profile? (the current one is kept in the history)" ||
      die_with 1 "not cleared (use --yes to clear without asking)"
  fi
  ensure_memory_dir
  lock_memory_dir 600 || die_with 75 "the update lock is held; try again later"
  set_origin_or_warn
  tool mem-merge --profile "$PROFILE" --in-place --clear || exit $?
  render_fragment || die_with "$?" "the profile was cleared but the fragment could not be rendered"
  release_lock_and_follow_up
}

about_clear() {
  cat <<'ABOUT'
Resets the profile to the empty default sections; the old one goes to the history.
Asks first when stdin is a terminal, and refuses without one unless given --yes (-y).
ABOUT
}

# Asks a yes/no question only when stdin is a terminal; otherwise the answer is no.
confirm() {
  [ -t 0 ] || return 1
  printf '%s [y/N] ' "$1" >&2
  read -r answer || return 1
  case "$answer" in
    y | Y | yes | YES) return 0 ;;
    *) return 1 ;;
  esac
}

# Regenerates fragment.md from the profile (the wrapper calls it when the profile was
# edited by hand after the last render). Exits with mem-render's status when it fails.
cmd_render() {
  no_arguments "$@"
  require_tools
  ensure_memory_dir
  render_fragment || die_with "$?" "cannot render $FRAGMENT"
}

about_render() {
  cat <<'ABOUT'
Regenerates the fragment (what is injected) from the profile, within the budget
($LLM_MEMORY_MAX_CHARS, default 4000 characters); the wrapper does this itself when the
profile changed since the last render. A profile that cannot be rendered keeps the last
good fragment in place, and exits with mem-render's status (65: not text).
ABOUT
}

# ---- pause, resume --------------------------------------------------------------------

# record_off_record pause|resume: adds "WORD CURSOR TIME" to off-record — where llm's log
# stands now and the UTC time to the microsecond (mem-extract --newest --time) — through a temp file renamed over it, the
# lines before kept as they are (mem-extract --off-record reads them; README: Off the
# record). Fails with mem-extract's status (its message on stderr), or 73/74.
record_off_record() {
  newest=$(tool mem-extract --newest --time) || return
  off_tmp=$(mktemp "$OFF_RECORD.tmp.$$.XXXXXX" 2>/dev/null) || return 73
  if { [ ! -e "$OFF_RECORD" ] || cat -- "$OFF_RECORD"; } >"$off_tmp" &&
    printf '%s %s\n' "$1" "$newest" >>"$off_tmp" &&
    mv -f -- "$off_tmp" "$OFF_RECORD"; then
    return 0
  fi
  rm -f -- "$off_tmp"
  return 74
}

# The stretch is opened before the flag is set and closed before it is removed, so a
# crash in between errs towards learning less. Both always add their line: a second
# pause changes nothing (the first holds), and a resume closes a stretch a crash left open.
cmd_pause() {
  no_arguments "$@"
  require_tools
  ensure_memory_dir
  was_paused=""
  [ ! -e "$PAUSED_FLAG" ] || was_paused=1
  record_off_record pause || die_with "$?" "cannot record in $OFF_RECORD where the pause starts; not paused"
  write_file "$PAUSED_FLAG" </dev/null || die_with 73 "cannot write $PAUSED_FLAG"
  if [ -n "$was_paused" ]; then
    note "already paused: nothing said since the pause is ever learned (llm memory resume)"
  else
    note "paused: the profile is still injected; nothing said from now until resume is ever learned (llm memory resume)"
  fi
}

about_pause() {
  cat <<'ABOUT'
Keeps what you say from now on out of memory, in every shell and program, until resume:
it is never learned, not even after resume. No update runs while paused; the profile is
still injected. Records where llm's log stands in off-record (README: Off the record).
ABOUT
}

cmd_resume() {
  no_arguments "$@"
  require_tools
  ensure_memory_dir
  record_off_record resume || die_with "$?" "cannot record in $OFF_RECORD where the pause ends; still paused"
  if [ -e "$PAUSED_FLAG" ]; then
    rm -f -- "$PAUSED_FLAG"
    note "resumed: what was said while paused stays unlearned; updates run again after each prompt"
  else
    note "not paused: updates already run after each prompt"
  fi
}

about_resume() {
  cat <<'ABOUT'
Ends a pause: updates run again after each prompt and learn what was said before the
pause and from now on; what was said while paused is never learned, nor the rest of a
conversation held then.
ABOUT
}

# ---- status ---------------------------------------------------------------------------

# The settings status lists when they are set (README: Switches), in this order.
SETTINGS="LLM_MEMORY_BATCH LLM_MEMORY_BIN_DIR LLM_MEMORY_BUDGET LLM_MEMORY_DIR LLM_MEMORY_DISABLED \
LLM_MEMORY_LLM LLM_MEMORY_MAX_CHARS LLM_MEMORY_MODEL LLM_MEMORY_UPDATE_INTERVAL LLM_MEMORY_UPDATES LLM_USER_PATH"

# model [ID|--unset]: the memory model every conversation is sent to for updates
# (mem-propose reads the file). With none, each conversation goes back only to the model
# it was held with. An ID llm does not list is refused, so a typo is not stored.
# check_model_id ID WHAT_HAPPENED: exits 69 when llm has no model ID (`local`, the
# built-in offline extractor, is always there), ending the message with WHAT_HAPPENED.
check_model_id() {
  [ "$1" != local ] || return 0
  llm_cmd="${LLM_MEMORY_LLM:-llm}"
  if command -v "$llm_cmd" >/dev/null 2>&1; then
    # `llm models list -m ID` prints the model when llm has it, nothing when not.
    known=$(LLM_MEMORY_DISABLED=true "$llm_cmd" models list -m "$1" </dev/null 2>/dev/null) ||
      die_with 69 "could not ask llm which models it has; $2"
    [ -n "$known" ] || die_with 69 "llm has no model '$1' (llm models list shows them); $2"
  else
    note "llm not found, so '$1' was not checked against its models"
  fi
}

cmd_model() {
  [ $# -le 1 ] || { shift; unexpected "$@"; }
  case "${1:-}" in
    "")
      if [ -n "${LLM_MEMORY_MODEL:-}" ]; then
        printf '%s\n' "$LLM_MEMORY_MODEL"
        note "(from LLM_MEMORY_MODEL, which overrides $MODEL_FILE)"
      elif [ -s "$MODEL_FILE" ]; then
        cat -- "$MODEL_FILE"
      else
        note "no memory model: each exchange goes back to its own model (choose one: $PROGRAM model ID)"
      fi
      ;;
    --unset)
      rm -f -- "$MODEL_FILE" || die_with 73 "cannot remove $MODEL_FILE"
      note "no memory model: each exchange goes back to its own model"
      ;;
    -*) unexpected "$1" ;;
    *[[:space:]]*) usage_error "a model id is one word, not '$1'" ;;
    *)
      check_model_id "$1" "nothing changed"
      ensure_memory_dir
      printf '%s\n' "$1" | write_file "$MODEL_FILE" || die_with 73 "cannot write $MODEL_FILE"
      if [ "$1" = local ]; then
        note "memory model: local — the built-in offline extractor reads every conversation; nothing is sent (undo: $PROGRAM model --unset)"
      else
        note "memory model: $1 — every conversation is sent to it for updates (undo: $PROGRAM model --unset)"
      fi
      ;;
  esac
}

about_model() {
  cat <<'ABOUT'
Without ID: prints the memory model. With ID: every conversation is sent to that model
for updates (checked against `llm models list`; `local` is the built-in offline
extractor, which sends nothing). --unset: no memory model, so each exchange goes back
only to the model it was held with (the default). LLM_MEMORY_MODEL overrides the choice.
ABOUT
}

cmd_status() {
  no_arguments "$@"
  printf 'memory dir:     %s\n' "$MEMORY_DIR"
  if [ -e "$PROFILE" ]; then
    printf 'profile:        %s (%s bytes)\n' "$PROFILE" "$(($(wc -c <"$PROFILE")))"
  else
    printf 'profile:        %s (none yet)\n' "$PROFILE"
  fi
  # What each call gets, as mem-render says it ("48 of 300 bullets injected (…)"); a
  # profile it cannot render is a problem, in mem-render's own words (its --error-file).
  if ! have_tools; then
    printf 'fragment:       unknown (mem-* tools not found)\n'
  elif injected=$(tool mem-render --profile "$PROFILE" --stats 2>/dev/null); then
    printf 'fragment:       %s\n' "$injected"
  else
    if [ -s "$FRAGMENT" ]; then
      printf 'fragment:       the last good one is injected (%s)\n' "$FRAGMENT"
    else
      printf 'fragment:       none (nothing is injected)\n'
    fi
    problem=$(tool mem-render --profile "$PROFILE" --stats --error-file /dev/fd/3 3>&1 >/dev/null 2>/dev/null)
    printf 'problem:        %s (llm memory edit fixes it)\n' "${problem:-the profile cannot be rendered}"
  fi
  if [ -e "$PAUSED_FLAG" ]; then
    printf 'paused:         yes: nothing said now is ever learned (llm memory resume)\n'
  else
    printf 'paused:         no\n'
  fi
  if [ -n "${LLM_MEMORY_MODEL:-}" ]; then
    printf 'memory model:   %s (LLM_MEMORY_MODEL)\n' "$LLM_MEMORY_MODEL"
  elif [ -s "$MODEL_FILE" ] && IFS= read -r chosen <"$MODEL_FILE"; then
    printf 'memory model:   %s (llm memory model --unset: each exchange to its own model)\n' "$chosen"
  else
    printf 'memory model:   none: each exchange goes back to its own model (llm memory model ID to choose one)\n'
  fi
  after=""
  [ ! -f "$CURSOR_FILE" ] || IFS= read -r after <"$CURSOR_FILE" || :
  if ! have_tools; then
    printf 'waiting:        unknown (mem-* tools not found)\n'
  elif [ ! -e "$ORIGIN_FILE" ]; then
    # Before set-up nothing waits: the first update starts at the newest exchange.
    printf 'waiting:        none: memory is not set up yet; it learns from what is logged after install-shell or the first update\n'
  elif waiting=$(tool mem-extract --after "$after" --count 2>/dev/null); then
    printf 'waiting:        %s exchange(s) not yet applied (cursor: %s)\n' "$waiting" "${after:-start}"
  else
    printf 'waiting:        unknown (no log database yet?)\n'
  fi
  # What was logged before memory started: learned only by a backfill (mem-backfill
  # status says how far one has got, in one line).
  if [ ! -e "$ORIGIN_FILE" ]; then
    if have_tools && logged=$(tool mem-extract --count 2>/dev/null) && [ "$logged" -gt 0 ]; then
      printf 'backfill:       memory is not set up yet; the %s exchange(s) llm has logged so far are for llm memory backfill once it is\n' "$logged"
    else
      printf 'backfill:       memory is not set up yet (install-shell or the first update sets it up)\n'
    fi
  elif have_tool mem-backfill; then
    if backfill_line=$(tool mem-backfill status 2>/dev/null); then
      if [ -f "$BACKFILL_PID" ] && kill -0 "$(cat -- "$BACKFILL_PID" 2>/dev/null)" 2>/dev/null; then
        printf 'backfill:       running (pid %s): %s\n' "$(cat -- "$BACKFILL_PID")" "$backfill_line"
      else
        printf 'backfill:       %s\n' "$backfill_line"
      fi
    else
      printf 'backfill:       unknown (mem-backfill status failed)\n'
    fi
  fi
  # The last run's outcome (last-update: time, outcome, message, one per line); when it
  # failed, why (the failing stage's own words). An older failure that a later run got
  # past is not shown: it is history (log/updates.log).
  # An update holds the lock while it runs (so do edit, load and clear).
  running=""
  if [ -d "$MEMORY_DIR" ] && command -v flock >/dev/null 2>&1 && ! flock -n "$MEMORY_DIR" true 2>/dev/null; then
    running=1
  fi
  if [ -n "$running" ] && [ ! -f "$LAST_RUN" ]; then
    printf 'last update:    running now (the first)\n'
  elif [ -f "$LAST_RUN" ]; then
    { IFS= read -r run_time && IFS= read -r outcome && IFS= read -r message; } <"$LAST_RUN"
    if [ -n "$running" ]; then
      printf 'last update:    running now; the one before: %s, %s\n' "${run_time:-}" "${outcome:-}"
    else
      printf 'last update:    %s, %s\n' "${run_time:-}" "${outcome:-}"
    fi
    if [ "${outcome:-}" = ok ]; then
      printf '                %s\n' "${message:-}"
    else
      printf 'last error:     %s\n' "${message:-}"
    fi
  else
    printf 'last update:    never\n'
  fi
  if [ -f "$UPDATE_LOG" ]; then
    printf 'update log:     %s\n' "$UPDATE_LOG"
  fi
  if [ -f "$WATCH_PID" ] && kill -0 "$(cat -- "$WATCH_PID" 2>/dev/null)" 2>/dev/null; then
    printf 'watch:          running (pid %s)\n' "$(cat -- "$WATCH_PID")"
  else
    printf 'watch:          not running\n'
  fi
  if have_tools; then
    printf 'tools:          %s\n' "${TOOLS:-on PATH}"
  else
    printf 'tools:          NOT FOUND (make install)\n'
  fi
  overrides=""
  for name in $SETTINGS; do
    # (eval of a name from the fixed list above: the value itself is never evaluated)
    eval "value=\${$name:-}"
    [ -z "$value" ] || overrides="$overrides$name=$value "
  done
  printf 'environment:    %s\n' "${overrides:-no overrides}"
  shell_status_lines 'shell:          '
}

about_status() {
  cat <<'ABOUT'
Says where the memory is, the profile's size, what each call gets ("84 of 300 bullets
injected (…)", as mem-render --stats says it), a profile that cannot be rendered (a
"problem:" line), whether updates are paused, how many exchanges wait (cursor vs newest),
what was logged before memory started and how much of it a backfill has read (not
started, N of M, done; running now), the last update (running now, or its time, outcome
and whole error), whether a watch runs, which tools are used, the LLM_MEMORY_* settings
in force and where the shell integration is installed.
ABOUT
}
