# shellcheck shell=sh
# llm-memory update and watch, and what edit, load, clear and render share with them:
# the update lock, rendering the fragment, running a stage, starting a detached update.
# Sourced by bin/llm-memory, which holds the settings and helpers used here.

# What separates the lines a pass prints (update_pass: its outcome, and a failure's cause).
NEWLINE='
'

# ---- the lock -------------------------------------------------------------------------

# The update lock: an exclusive flock on the memory dir itself, which cannot be deleted
# or swapped for another file while in use, and which the kernel releases if we die.
# lock_memory_dir WAIT_SECONDS: fails when the lock is still held after WAIT_SECONDS
# (0: at once).
lock_memory_dir() {
  command -v flock >/dev/null 2>&1 || die_with 69 "flock (util-linux) is needed for the update lock"
  exec 9<"$MEMORY_DIR" || die_with 74 "cannot open $MEMORY_DIR"
  flock -w "$1" 9
}

# ---- stages ---------------------------------------------------------------------------

# Where the tools' reports (stderr) go: the porcelain's stderr, except during a foreground
# update on a terminal without -v, which shows a progress line and logs them instead.
REPORT_FD=2

# run_stage TOOL ARG…: runs a mem-* tool with the caller's stdin and stdout. A failing tool
# writes its one-line error to its --error-file, here a pipe (fd 3, opened by the tool as
# /dev/fd/3) read into $stage_message, so the message arrives even when no file can be
# written (a full disk); nothing of its report is read. Returns the tool's status, also
# kept in $stage_status.
run_stage() {
  { stage_message=$(tool "$@" --error-file /dev/fd/3 3>&1 1>&4 4>&- 2>&"$REPORT_FD"); } 4>&1
  stage_status=$?
  return "$stage_status"
}

# Renders into a temp file of this process's own (the wrapper's `render` may run while an
# update renders too; mktemp as in write_file, named fragment.md.tmp.PID.XXXXXX), renames
# it over fragment.md, and removes temp files of renders that were killed (their process
# is gone). Fails with mem-render's status, or 73/74, and says why in $stage_message.
# A profile that cannot be rendered leaves the last good fragment in place and is said
# once at the prompt; so is a profile that starts to outgrow the budget (mem-render
# --notice-file says when: the file is empty while everything fits).
render_fragment() {
  fragment_tmp=$(mktemp "$FRAGMENT.tmp.$$.XXXXXX" 2>/dev/null) || {
    stage_message="cannot create a temp file beside $FRAGMENT"
    return 73
  }
  run_stage mem-render --profile "$PROFILE" --notice-file "$fragment_tmp.notice" >"$fragment_tmp" || {
    render_status=$?
    # mem-render's verdict is said at the prompt; a signal that stopped it is not one.
    if [ "$render_status" -lt 128 ]; then
      if [ -s "$FRAGMENT" ]; then render_left="prompts get the last good fragment"; else render_left="nothing is injected"; fi
      notify render "cannot render the profile, so $render_left: ${stage_message:-mem-render left no message}"
    fi
    rm -f -- "$fragment_tmp" "$fragment_tmp.notice"
    return "$render_status"
  }
  mv -f -- "$fragment_tmp" "$FRAGMENT" || {
    rm -f -- "$fragment_tmp" "$fragment_tmp.notice"
    stage_message="cannot replace $FRAGMENT"
    return 74
  }
  if [ -s "$fragment_tmp.notice" ]; then
    notify render "$(cat -- "$fragment_tmp.notice")"
  else
    notice_resolved render
  fi
  rm -f -- "$fragment_tmp.notice"
  remove_stale_tmp "$FRAGMENT"
  remove_stale_notice_tmp
}

# ---- notices at the prompt ------------------------------------------------------------

# notify KIND CAUSE: says CAUSE once at the prompt — the wrapper prints <memory dir>/notice
# on stderr at the next llm call in a terminal and removes it — unless it is old news:
# the line last said about this KIND (update: an update failed; render: the profile
# cannot be rendered, or has outgrown the budget) was the same. That line is kept in
# notified.KIND until the KIND is resolved. When stderr is a terminal, the user is
# reading the failure right now: it is only recorded as said.
notify() {
  notify_line="$PROGRAM: $2 (llm memory status)"
  notify_said="$MEMORY_DIR/notified.$1"
  notify_last=""
  [ ! -f "$notify_said" ] || IFS= read -r notify_last <"$notify_said" || :
  [ "$notify_last" != "$notify_line" ] || return 0
  if [ ! -t 2 ]; then
    printf '%s\n' "$notify_line" | write_file "$NOTICE" || return 0
  fi
  printf '%s\n' "$notify_line" | write_file "$notify_said"
}

# notice_resolved KIND: what was said about KIND is over (an update worked, the profile
# renders within budget); a notice about it that the user has not seen yet is stale.
notice_resolved() {
  notify_said="$MEMORY_DIR/notified.$1"
  [ -e "$notify_said" ] || return 0
  if cmp -s -- "$NOTICE" "$notify_said"; then
    rm -f -- "$NOTICE"
  fi
  rm -f -- "$notify_said"
}

# notify_update_failure CAUSE: a failed update, said once at the prompt, briefly: the
# cause cut at a word to about 80 characters (status has the whole message). When the
# cause is a profile that cannot be rendered, it is said as the wrapper's render says it
# (the same line, so once in all), not as a failure of its own.
notify_update_failure() {
  if [ -e "$PROFILE" ] && ! tool mem-render --profile "$PROFILE" --stats >/dev/null 2>&1; then
    render_fragment 2>/dev/null
  else
    cause=$1 cut=""
    while [ "${#cause}" -gt 80 ] && [ "${cause% *}" != "$cause" ]; do
      cause=${cause% *} cut=" …"
    done
    notify update "the last update failed: $cause$cut"
  fi
}

# The temp files of the notice and of what was last said (write_file's), left by a process
# killed while writing one.
remove_stale_notice_tmp() {
  for name in "$NOTICE" "$MEMORY_DIR/notified.render" "$MEMORY_DIR/notified.update"; do
    remove_stale_tmp "$name"
  done
}

# remove_stale_tmp NAME: removes the temp files NAME.tmp.PID.XXXXXX of processes that are
# gone (killed before they could remove their own).
remove_stale_tmp() {
  for leftover in "$1".tmp.*; do
    [ -e "$leftover" ] || continue
    leftover_pid=${leftover#"$1".tmp.}
    kill -0 "${leftover_pid%%.*}" 2>/dev/null || rm -f -- "$leftover"
  done
}

# ---- one update -----------------------------------------------------------------------

# record_run OUTCOME MESSAGE: what `status` shows about the last update, one value per
# line (time, outcome, message), so it is read back with `read`, not parsed.
record_run() {
  printf '%s\n%s\n%s\n' "$(now)" "$1" "$2" | write_file "$LAST_RUN"
}

# read_cursor: sets $cursor to the cursor file's token (empty: from the start).
read_cursor() {
  cursor=""
  [ ! -f "$CURSOR_FILE" ] || IFS= read -r cursor <"$CURSOR_FILE" || :
}

# Before an update reads the cursor (the caller holds the lock): the work dirs of killed
# runs go, and a commit mem-merge was killed in the middle of is finished or dropped.
recover_locked() {
  rm -rf -- "$MEMORY_DIR"/.update.* "$LAST_RUN".tmp.*
  remove_stale_notice_tmp
  run_stage mem-merge --profile "$PROFILE" --recover
}

# ---- memory's starting point ------------------------------------------------------------

# set_origin_locked: fixes where memory starts, the first time it is set up (the caller
# holds the update lock, so two first runs agree): origin holds the cursor of the newest
# exchange llm has logged now (mem-extract --newest) and the time, and the cursor starts
# there, so no update ever sends an older exchange — those are for `llm memory backfill`,
# asked for on purpose. A memory that already has a cursor was reading from the start of
# the log before origins existed: its origin is the start (nothing to backfill). A cursor
# missing beside an origin (killed between the two writes) is put back at the origin.
# Fails with mem-extract's status (its message in $stage_message), or 73.
set_origin_locked() {
  if [ ! -e "$ORIGIN_FILE" ]; then
    if [ -e "$CURSOR_FILE" ]; then
      origin=r0.t0
    else
      origin=$(tool mem-extract --newest 2>/dev/null) || {
        stage_status=$?
        stage_message="mem-extract --newest failed (exit $stage_status): cannot tell where llm's log stands"
        return "$stage_status"
      }
    fi
    printf '%s\n%s\n' "$origin" "$(now)" | write_file "$ORIGIN_FILE" || {
      stage_message="cannot write $ORIGIN_FILE"
      return 73
    }
  fi
  if [ ! -e "$CURSOR_FILE" ]; then
    IFS= read -r origin <"$ORIGIN_FILE" || origin=""
    printf '%s\n' "${origin:-r0.t0}" | write_file "$CURSOR_FILE" || {
      stage_message="cannot write $CURSOR_FILE"
      return 73
    }
  fi
}

# set_origin_or_warn: set_origin_locked for commands that do not read llm's log (edit,
# load, clear, install-shell): a log that cannot be read now is said, and the next
# update fixes the starting point instead.
set_origin_or_warn() {
  set_origin_locked || note "memory's starting point is not fixed yet (${stage_message:-}); the next update fixes it"
}

# pass_failed MESSAGE [CAUSE]: why a pass failed, recorded for `status` and printed for
# run_update_locked ("failed: MESSAGE", then CAUSE on a line of its own, for the notice),
# which says it even when last-update cannot be written (a full disk).
pass_failed() {
  record_run failed "$1"
  printf 'failed: %s\n%s\n' "$1" "${2:-$1}"
}

# stage_failed TOOL AFTERWARDS: pass_failed with the tool's status and its own message;
# the cause is the message's first clause (the tools write "cause; what to do").
stage_failed() {
  pass_failed "$1 failed (exit $stage_status): ${stage_message:-it left no message}; $2" \
    "${stage_message:+${stage_message%%; *}}"
}

# One pass: extract a batch after the cursor, propose a delta, merge it in place (which
# also moves the cursor), render. Prints "finished" when nothing new was found, "more"
# after a batch was applied. A failing stage's report reaches stderr as it is, and its
# --error-file message goes into last-update, so `status` can say why.
update_pass() {
  work=$1
  read_cursor
  after=$cursor
  run_stage mem-extract --after "$after" --limit "$BATCH_SIZE" --off-record "$OFF_RECORD" >"$work/exchanges"
  case $stage_status in
    0) ;;
    66) echo finished; return 0 ;;
    *) stage_failed mem-extract "nothing was changed"; return "$stage_status" ;;
  esac
  if [ ! -s "$work/exchanges" ]; then
    echo finished
    return 0
  fi
  run_stage mem-propose --profile "$PROFILE" <"$work/exchanges" >"$work/delta" || {
    stage_failed mem-propose "the cursor was not moved"
    return "$stage_status"
  }
  run_stage mem-merge --profile "$PROFILE" --in-place <"$work/delta" || {
    stage_failed mem-merge "the cursor was not moved"
    return "$stage_status"
  }
  read_cursor
  if [ "$cursor" = "$after" ]; then
    pass_failed "the cursor did not move after a merge; stopping"
    return 70
  fi
  render_fragment || {
    stage_status=$?
    stage_failed "rendering the fragment" "the profile was updated"
    return "$stage_status"
  }
  echo more
}

# ---- progress on a terminal -----------------------------------------------------------

# show_progress BATCH: one line, rewritten in place: the batch about to run and how many
# exchanges are left (mem-extract counts them; no text is read).
show_progress() {
  [ -n "$PROGRESS" ] || return 0
  read_cursor
  if left=$(tool mem-extract --after "$cursor" --count 2>/dev/null); then
    printf '\r%s: updating: batch %s, %s exchange(s) left\033[K' "$PROGRAM" "$1" "$left" >&2
  else
    printf '\r%s: updating: batch %s\033[K' "$PROGRAM" "$1" >&2
  fi
}

# end_progress: clears the progress line (before a message, or at the end).
end_progress() {
  [ -n "$PROGRESS" ] || return 0
  printf '\r\033[K' >&2
}

# ---- update ---------------------------------------------------------------------------

# Runs update passes until nothing is new, then once more for each note a caller left
# while we held the lock. The caller holds the lock.
run_update_locked() {
  recover_locked || {
    status=$?
    end_progress
    record_run failed "mem-merge --recover failed (exit $status): ${stage_message:-it left no message}; nothing was changed"
    notify update "the last update failed before it began (mem-merge --recover, exit $status; llm memory status says why)"
    die_with "$status" "update stopped: mem-merge --recover failed (exit $status); nothing was changed"
  }
  set_origin_locked || {
    status=$?
    end_progress
    record_run failed "$stage_message; nothing was changed"
    die_with "$status" "update stopped: $stage_message"
  }
  work=$(mktemp -d "$MEMORY_DIR/.update.XXXXXX" 2>&1) || {
    end_progress
    die_with 73 "cannot create a work dir in $MEMORY_DIR: ${work##*: }"
  }
  trap 'end_progress; rm -rf -- "$work"' EXIT
  # A detached update ignores HUP (the terminal it came from may close); a foreground
  # one cleans up on it.
  if [ -n "${DETACHED:-}" ]; then trap 'exit 130' INT TERM; else trap 'exit 130' INT TERM HUP; fi
  batches=0
  while :; do
    rm -f -- "$AGAIN_NOTE"
    while :; do
      show_progress "$((batches + 1))"
      result=$(update_pass "$work")
      status=$?
      if [ "$status" -ne 0 ]; then
        end_progress
        failure=${result%%"$NEWLINE"*}
        notify_update_failure "${result#*"$NEWLINE"}"
        die_with "$status" "update stopped: ${failure#failed: }"
      fi
      [ "$result" = more ] || break
      batches=$((batches + 1))
    done
    [ -e "$AGAIN_NOTE" ] || break
  done
  # Also picks up a profile edited by hand since the last render.
  if [ -e "$PROFILE" ]; then
    render_fragment || true
  fi
  record_run ok "$batches batch(es) applied"
  notice_resolved update
  # The porcelain runs: a shell told it was gone may be told again if it goes again.
  rm -f -- "$MEMORY_DIR/notified.gone"
  end_progress
  [ -z "$PROGRESS" ] || note "updated: $batches batch(es) applied"
  rm -rf -- "$work"
  trap - EXIT
}

# Appends stdin-less background output to the log, keeping it under LOG_MAX_BYTES.
open_update_log() {
  mkdir -p -- "$LOG_DIR" && chmod 700 -- "$LOG_DIR" 2>/dev/null
  if [ -f "$UPDATE_LOG" ] && [ "$(($(wc -c <"$UPDATE_LOG")))" -gt "$LOG_MAX_BYTES" ]; then
    mv -f -- "$UPDATE_LOG" "$UPDATE_LOG.1"
  fi
}

# shellcheck disable=SC2120  # (update_detached runs it without arguments)
cmd_update() {
  verbose=""
  start=""
  while [ $# -gt 0 ]; do
    case $1 in
      -v | --verbose) verbose=1 ;;
      --background | --detached) [ -z "$start" ] || unexpected "$1"; start=$1 ;;
      *) unexpected "$@" ;;
    esac
    shift
  done
  case $start in
    --background) update_in_background; return 0 ;;
    --detached) update_detached; return ;;
  esac
  require_tools
  ensure_memory_dir
  if [ -e "$PAUSED_FLAG" ]; then
    note "memory is paused; nothing updated (llm memory resume)"
    return 0
  fi
  if ! lock_memory_dir 0; then
    write_file "$AGAIN_NOTE" </dev/null
    # The holder looks for the note after it lets the lock go; if it let go before the
    # note was there, the lock is free now and this call makes the pass itself.
    if ! lock_memory_dir 0; then
      note "an update is already running; it will make one more pass"
      return 0
    fi
  fi
  # On a terminal, without -v: one progress line; the tools' reports go to the log.
  PROGRESS=""
  if [ -z "$verbose" ] && [ -z "${DETACHED:-}" ] && [ -t 2 ]; then
    open_update_log
    exec 5>>"$UPDATE_LOG"
    printf '== %s update (pid %s, on a terminal)\n' "$(now)" "$$" >&5
    PROGRESS=1
    REPORT_FD=5
  fi
  run_update_locked
  # A note left after our last look at it but before the lock was released: take the
  # lock again for it. If another update has the lock by then, that one sees the note.
  exec 9<&-
  while [ -e "$AGAIN_NOTE" ] && lock_memory_dir 0; do
    run_update_locked
    exec 9<&-
  done
}

# Starts `update` detached from the terminal (its own session, no job-control lines,
# survives the terminal closing) and returns at once. The wrapper does the same with a
# single `setsid -f … update --detached`, to keep its own cost to one fork.
update_in_background() {
  if command -v setsid >/dev/null 2>&1; then
    setsid -f "$SELF" update --detached </dev/null >/dev/null 2>&1
  else
    nohup "$SELF" update --detached </dev/null >/dev/null 2>&1 &
  fi
}

# Whether background updates are wanted: not disabled, not switched off, not paused.
updates_wanted() {
  is_true "${LLM_MEMORY_DISABLED:-}" && return 1
  is_false "${LLM_MEMORY_UPDATES:-}" && return 1
  [ ! -e "$PAUSED_FLAG" ]
}

# After edit, load or clear: releases the update lock and, if an update was turned away
# while it was held (its note is there), starts that update in the background now, as
# the wrapper would, rather than leaving it for the next trigger.
release_lock_and_follow_up() {
  exec 9<&-
  if [ -e "$AGAIN_NOTE" ] && updates_wanted; then
    update_in_background
  fi
}

# The detached update: checks the switches, then logs to log/updates.log.
update_detached() {
  updates_wanted || return 0
  have_tools || return 0
  trap '' HUP
  DETACHED=1
  ensure_memory_dir
  open_update_log
  exec >>"$UPDATE_LOG" 2>&1 </dev/null
  printf '== %s update (pid %s)\n' "$(now)" "$$"
  cmd_update
}

about_update() {
  cat <<'ABOUT'
Applies what llm has logged since the last update: pass by pass ($LLM_MEMORY_BATCH
exchanges, default 200), mem-extract → mem-propose → mem-merge (which moves the cursor)
→ mem-render, until nothing is new. The first update (unless install-shell, edit,
load, clear or backfill came first) fixes where memory starts: at the newest exchange
llm has logged then; what was logged before is learned only by `llm memory backfill`.
One update at a time: if one is running, this leaves it a note to make one more pass
and exits 0. A failing stage stops the update with its exit status and one line saying
why; the cursor stays, so nothing is skipped. While paused, does nothing.

On a terminal it shows one progress line (the batch and the exchanges left) and writes
the tools' reports to log/updates.log in the memory dir.

  -v, --verbose   print the tools' reports instead of the progress line
  --background    start the update detached and return at once (what the wrapper does
                  after each prompt); nothing happens when updates are off or paused
ABOUT
}

# ---- watch ----------------------------------------------------------------------------

cmd_watch() {
  no_arguments "$@"
  require_tools
  ensure_memory_dir
  case "$UPDATE_INTERVAL" in
    '' | *[!0-9]*) die_with 64 "LLM_MEMORY_UPDATE_INTERVAL must be a whole number of seconds (got '$UPDATE_INTERVAL')" ;;
  esac
  [ "$UPDATE_INTERVAL" -ge 1 ] || die_with 64 "LLM_MEMORY_UPDATE_INTERVAL must be at least 1"
  if [ -f "$WATCH_PID" ] && kill -0 "$(cat -- "$WATCH_PID" 2>/dev/null)" 2>/dev/null; then
    die_with 75 "a watch is already running (pid $(cat -- "$WATCH_PID"))"
  fi
  echo "$$" | write_file "$WATCH_PID"
  trap 'rm -f -- "$WATCH_PID"' EXIT
  trap 'note "stopped"; exit 0' INT TERM HUP
  note "updating every $UPDATE_INTERVAL s; Ctrl-C stops"
  while :; do
    # Each pass in a child, so a failing batch is reported and the loop goes on; with
    # --verbose, as a log would want it (no progress line redrawn every turn).
    "$SELF" update --verbose || note "update failed (exit $?); trying again in $UPDATE_INTERVAL s"
    sleep "$UPDATE_INTERVAL" &
    wait $! 2>/dev/null || true
  done
}

about_watch() {
  cat <<'ABOUT'
Runs `update` every $LLM_MEMORY_UPDATE_INTERVAL seconds (default 10) in the foreground,
for use without the shell wrapper. A failed update is reported and tried again at the
next turn. Only one watch runs at a time; Ctrl-C stops it cleanly.
ABOUT
}
