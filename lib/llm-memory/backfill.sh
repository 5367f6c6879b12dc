# shellcheck shell=sh
# llm-memory backfill: learning, on purpose, from what llm logged before memory started
# (README: Backfill). Sourced by bin/llm-memory with update.sh (the lock, stages,
# rendering, the starting point) and profile.sh (confirm, check_model_id).
#
# mem-backfill decides what this file cannot, in machine forms read with `read`: the
# estimate (printed as it is), the stretch each pass reads (`next`: AFTER UNTIL), how far
# the backfill has got (`progress`: LEFT CALLS FACTS JOURNAL). Each pass is an update
# pass over that stretch — mem-extract → mem-propose --backfill → mem-merge, whose commit
# moves backfill-cursor, not cursor — under the update lock, which is let go between
# passes so that live updates keep running.

# ---- the command ----------------------------------------------------------------------

cmd_backfill() {
  dry_run="" yes="" since="" last="" model=""
  while [ $# -gt 0 ]; do
    case $1 in
      -n | --dry-run) dry_run=1 ;;
      -y | --yes) yes=1 ;;
      --since | --last | --model)
        [ $# -ge 2 ] || usage_error "$1 needs a value"
        backfill_option "$1" "$2"
        shift
        ;;
      --since=* | --last=* | --model=*) backfill_option "${1%%=*}" "${1#*=}" ;;
      *) unexpected "$@" ;;
    esac
    shift
  done
  [ -z "$since" ] || [ -z "$last" ] || usage_error "--since and --last cannot be used together"
  require_tool mem-backfill
  [ -z "$model" ] || check_model_id "$model" "the backfill did not start"
  ensure_memory_dir
  if [ -e "$PAUSED_FLAG" ] && [ -z "$dry_run" ]; then
    die "memory is paused: nothing is learned until llm memory resume; the backfill did not start (--dry-run shows its estimate)"
  fi
  if [ -f "$BACKFILL_PID" ] && kill -0 "$(cat -- "$BACKFILL_PID" 2>/dev/null)" 2>/dev/null; then
    die_with 75 "a backfill is already running (pid $(cat -- "$BACKFILL_PID")); llm memory status shows how far it is"
  fi
  # Work dirs of backfills that were killed (none runs now).
  rm -rf -- "$MEMORY_DIR"/.backfill.*

  # The estimate, always first, and the numbers the run starts from, under the lock
  # (the starting point is fixed there if this is memory's first command).
  lock_memory_dir 600 || die_with 75 "the update lock is still held; try again later"
  set_origin_locked || die_with "$?" "backfill did not start: $stage_message"
  recover_locked || die_with "$stage_status" "backfill did not start: an interrupted commit could not be recovered: ${stage_message:-}"
  if [ -n "$model" ]; then
    backfill_tool estimate --batch "$BATCH_SIZE" --model "$model"
  else
    backfill_tool estimate --batch "$BATCH_SIZE"
  fi || die_with "$stage_status" "no estimate: ${stage_message:-mem-backfill left no message}"
  backfill_numbers 0 || die_with "$stage_status" "cannot tell how much is left: ${stage_message:-mem-backfill left no message}"
  exec 9<&-

  [ -z "$dry_run" ] || return 0
  if [ "$left" -eq 0 ]; then
    note "nothing to backfill"
    return 0
  fi
  if [ -z "$yes" ]; then
    [ -t 0 ] || die_with 1 "the backfill did not start: there is no terminal to ask on (pass --yes to start it)"
    confirm "Start the backfill? (Ctrl-C stops it after a batch; running it again continues)" ||
      die_with 1 "the backfill did not start"
  fi
  backfill_run
}

# backfill_option NAME VALUE: one of --since, --last, --model.
backfill_option() {
  [ -n "$2" ] || usage_error "$1 needs a value"
  case $1 in
    --since)
      is_date "$2" || usage_error "--since takes a date like 2025-06-01 (or 2025-06-01T09:00:00, UTC), not '$2'"
      since=$2
      ;;
    --last)
      case $2 in
        *[!0-9]* | 0*) usage_error "--last takes a number of exchanges (1 or more), not '$2'" ;;
      esac
      last=$2
      ;;
    --model)
      case $2 in
        -* | *[[:space:]]*) usage_error "--model takes one model id, not '$2'" ;;
      esac
      model=$2
      ;;
  esac
}

# is_date TEXT: 2025-06-01, or 2025-06-01T09:00:00 (a space for the T too), with a month
# and a day that can be (mem-backfill checks it again; checked here so that a typo stops
# the command before it sets anything up).
is_date() {
  case $1 in
    [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
    [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T\ ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]) ;;
    *) return 1 ;;
  esac
  date_month=${1#?????}
  date_day=${date_month#???}
  date_month=${date_month%%-*}
  date_day=${date_day%%[T ]*}
  [ "$date_month" -ge 1 ] && [ "$date_month" -le 12 ] && [ "$date_day" -ge 1 ] && [ "$date_day" -le 31 ]
}

# backfill_tool SUBCOMMAND ARG…: mem-backfill SUBCOMMAND with this run's range, through
# run_stage (its error in $stage_message).
backfill_tool() {
  backfill_sub=$1
  shift
  if [ -n "$since" ]; then
    run_stage mem-backfill "$backfill_sub" --since "$since" "$@"
  elif [ -n "$last" ]; then
    run_stage mem-backfill "$backfill_sub" --last "$last" "$@"
  else
    run_stage mem-backfill "$backfill_sub" "$@"
  fi
}

# backfill_numbers JOURNAL_FROM: sets $left (exchanges of the range not read yet),
# $calls and $facts (the backfill's model calls and added bullets journalled after byte
# JOURNAL_FROM) and $journal_size, from mem-backfill progress.
backfill_numbers() {
  numbers=$(backfill_tool progress --journal-from "$1") || return
  read -r left calls facts journal_size <<NUMBERS
$numbers
NUMBERS
}

# ---- the run --------------------------------------------------------------------------

# Pass after pass until the range is read, Ctrl-C, a pause or a failure. Between passes
# the lock is free, and an update a live llm call left waiting (its update.again note)
# runs before the next pass: a live call waits at most one pass.
backfill_run() {
  work=$(mktemp -d "$MEMORY_DIR/.backfill.XXXXXX" 2>/dev/null) || die_with 73 "cannot create a work dir in $MEMORY_DIR"
  echo "$$" | write_file "$BACKFILL_PID" || die_with 73 "cannot write $BACKFILL_PID"
  trap 'backfill_cleanup' EXIT
  trap 'backfill_interrupted' INT TERM HUP
  # The tools' reports go to the log; the terminal gets the progress line.
  open_update_log
  exec 5>>"$UPDATE_LOG"
  REPORT_FD=5
  printf '== %s backfill (pid %s)\n' "$(now)" "$$" >&5
  PROGRESS=""
  [ ! -t 2 ] || PROGRESS=1
  total=$left
  started=$(date +%s)
  journal_from=$journal_size
  stops=0
  stage_pid=""
  outcome=""
  while [ -z "$outcome" ]; do
    if [ "$stops" -gt 0 ]; then
      outcome=stopped
    elif [ -e "$PAUSED_FLAG" ]; then
      outcome=paused
    elif ! lock_memory_dir 600; then
      if [ "$stops" -gt 0 ]; then outcome=stopped; else outcome=failed pass_message="the update lock is still held" pass_status=75; fi
    else
      before=$left
      backfill_pass
      exec 9<&-
      case $pass_result in
        finished) outcome=finished ;;
        failed) if [ "$stops" -gt 1 ]; then outcome=stopped; else outcome=failed; fi ;;
      esac
      if [ "$pass_result" = another ] && backfill_numbers "$journal_from"; then
        show_backfill_progress
        if [ "$left" -ge "$before" ]; then
          outcome=failed pass_message="a pass read nothing (mem-backfill next and mem-extract disagree)" pass_status=70
        fi
      fi
      [ -n "$outcome" ] || [ "$stops" -gt 0 ] || backfill_follow_up
    fi
  done
  end_backfill_line
  backfill_summary
}

# One pass, holding the lock: the stretch mem-backfill names, read, proposed, merged and
# rendered. Sets $pass_result: another (a batch read), finished (nothing left), or failed ($pass_message,
# $pass_status); nothing of a failed pass is committed.
backfill_pass() {
  pass_result=failed pass_status=0
  recover_locked || {
    pass_status=$stage_status pass_message="an interrupted commit could not be recovered (mem-merge --recover): ${stage_message:-}"
    return
  }
  backfill_tool next >"$work/span" || {
    pass_status=$stage_status pass_message="mem-backfill next failed: ${stage_message:-it left no message}"
    return
  }
  after="" until=""
  read -r after until <"$work/span" || :
  if [ -z "$after" ]; then
    pass_result=finished
    return
  fi
  stage_killable=1
  pass_stage /dev/null "$work/exchanges" mem-extract --after "$after" --until "$until" --limit "$BATCH_SIZE" \
    --off-record "$OFF_RECORD" --undone "$UNDONE_LIST" || { pass_failed_at mem-extract; return; }
  if [ -n "$model" ]; then
    pass_stage "$work/exchanges" "$work/delta" mem-propose --backfill --model "$model" --profile "$PROFILE"
  else
    pass_stage "$work/exchanges" "$work/delta" mem-propose --backfill --profile "$PROFILE"
  fi || { pass_failed_at mem-propose; return; }
  # A commit takes milliseconds: it is never interrupted on purpose.
  stage_killable=""
  pass_stage "$work/delta" /dev/null mem-merge --profile "$PROFILE" --in-place || { pass_failed_at mem-merge; return; }
  render_fragment || note "the profile was updated but the fragment could not be rendered (${stage_message:-}); the next update renders it"
  pass_result=another
}

# pass_failed_at TOOL: the pass failed in TOOL (or was dropped by a second Ctrl-C).
pass_failed_at() {
  pass_status=$stage_status
  pass_message="$1 failed (exit $stage_status): ${stage_message:-it left no message}; that batch was not learned"
}

# pass_stage IN OUT TOOL ARG…: a stage of a pass, reading IN and writing OUT, run in the
# background and waited for: a job started with & in a script ignores SIGINT, so a
# Ctrl-C reaches only this script (backfill_interrupted): the first asks to stop after
# this pass, the second kills a stage that may be killed (not mem-merge), dropping the
# pass. Its error goes to a file ($stage_message); returns its status ($stage_status).
pass_stage() {
  stage_in=$1 stage_out=$2
  shift 2
  rm -f -- "$work/error"
  tool "$@" --error-file "$work/error" <"$stage_in" >"$stage_out" 2>&"$REPORT_FD" &
  stage_pid=$!
  while :; do
    wait "$stage_pid"
    stage_status=$?
    # wait returns early when a trapped signal comes in; the stage may still run.
    kill -0 "$stage_pid" 2>/dev/null || break
  done
  stage_pid=""
  stage_message=""
  [ ! -s "$work/error" ] || IFS= read -r stage_message <"$work/error"
  return "$stage_status"
}

backfill_interrupted() {
  stops=$((stops + 1))
  if [ "$stops" -eq 1 ]; then
    end_backfill_line
    note "stopping after this batch (Ctrl-C again drops it and stops now)"
  elif [ -n "$stage_pid" ] && [ -n "${stage_killable:-}" ]; then
    kill -TERM "$stage_pid" 2>/dev/null
  fi
}

# An update a live llm call left waiting while a pass held the lock: run now, in the
# background of this script like a pass's stages (a Ctrl-C does not cut it short).
backfill_follow_up() {
  [ -e "$AGAIN_NOTE" ] && updates_wanted || return 0
  "$SELF" update --detached </dev/null >/dev/null 2>&1 &
  follow_pid=$!
  while :; do
    wait "$follow_pid"
    kill -0 "$follow_pid" 2>/dev/null || break
  done
}

backfill_cleanup() {
  rm -rf -- "$work"
  rm -f -- "$BACKFILL_PID"
  # An update turned away by the last pass runs once the lock is free.
  if [ -e "$AGAIN_NOTE" ] && updates_wanted; then update_in_background; fi
}

# ---- progress -------------------------------------------------------------------------

# On a terminal, one line rewritten in place:
#   llm-memory: backfill [#####-----] 120/300 exchanges · 4 calls · 7 facts · 1m05s · ~2m40s left
# elsewhere (a pipe, a log), one plain line per pass.
show_backfill_progress() {
  read_count=$((total - left))
  elapsed=$(($(date +%s) - started))
  remaining=""
  if [ "$read_count" -gt 0 ] && [ "$left" -gt 0 ] && [ $((elapsed * left / read_count)) -gt 0 ]; then
    remaining=$(duration $((elapsed * left / read_count)))
  fi
  if [ -n "$PROGRESS" ]; then
    printf '\r%s: backfill [%s] %s/%s exchanges · %s calls · %s facts · %s%s\033[K' "$PROGRAM" \
      "$(progress_bar "$read_count" "$total")" "$read_count" "$total" "$calls" "$facts" "$(duration "$elapsed")" \
      "${remaining:+ · ~$remaining left}" >&2
  else
    printf '%s: backfill: %s/%s exchanges read, %s model calls, %s facts added, %s elapsed%s\n' "$PROGRAM" \
      "$read_count" "$total" "$calls" "$facts" "$(duration "$elapsed")" "${remaining:+, about $remaining left}" >&2
  fi
}

end_backfill_line() {
  [ -z "${PROGRESS:-}" ] || printf '\r\033[K' >&2
}

# progress_bar DONE TOTAL: 20 characters, # for what is done.
progress_bar() {
  filled=$(($1 * 20 / ($2 > 0 ? $2 : 1)))
  bar=""
  i=0
  while [ "$i" -lt 20 ]; do
    if [ "$i" -lt "$filled" ]; then bar="$bar#"; else bar="$bar-"; fi
    i=$((i + 1))
  done
  printf '%s' "$bar"
}

# duration SECONDS: 45s, 3m05s, 1h02m.
duration() {
  if [ "$1" -ge 3600 ]; then
    printf '%dh%02dm' $(($1 / 3600)) $(($1 % 3600 / 60))
  elif [ "$1" -ge 60 ]; then
    printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
  else
    printf '%ds' "$1"
  fi
}

# The last line, and the exit status: 0 done, 130 stopped, 1 paused, else the failing
# stage's.
backfill_summary() {
  read_count=$((total - left))
  said="$read_count of $total exchanges read, $calls model calls, $facts facts added in $(duration $(($(date +%s) - started)))"
  case $outcome in
    finished)
      note "backfill done: $said"
      ;;
    stopped)
      note "backfill stopped: $said; llm memory backfill continues where it stopped"
      exit 130
      ;;
    paused)
      note "backfill stopped: memory was paused ($said); after llm memory resume, llm memory backfill continues"
      exit 1
      ;;
    *)
      note "backfill stopped: $pass_message ($said); llm memory backfill continues where it stopped"
      exit "$((pass_status > 0 ? pass_status : 1))"
      ;;
  esac
}

about_backfill() {
  cat <<'ABOUT'
Learns from what you said to llm before memory started (memory learns only from what
is logged after its starting point, fixed when it was set up). It first prints an
estimate — the exchanges in range, how many pass the gate, and per model they would
go to (each only to the model it was held with, unless a memory model is chosen) the
model calls and characters to send — and asks before anything is sent (without a
terminal it refuses unless given --yes). Then it reads them oldest first, a batch at a
time ($LLM_MEMORY_BATCH exchanges), telling the model they are older than the profile:
a fact learned later, or written by hand, is never replaced or removed by an older
exchange. Live updates keep running between batches. Ctrl-C stops after the current
batch (again: drops it and stops now); running backfill again continues where it
stopped. Off-the-record and undone exchanges are never sent.

  -n, --dry-run    print the estimate only; nothing is sent or changed
  -y, --yes        start without asking
  --since DATE     only what was logged since DATE (2025-06-01, UTC)
  --last N         only the newest N exchanges from before memory started
  --model ID       send them all to model ID for this backfill (a cheaper one for a
                   long history; local: the offline extractor, nothing is sent)
ABOUT
}
