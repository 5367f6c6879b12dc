# shellcheck shell=sh
# llm-memory's commands on the profile's history: log, why, show --why (blame), undo,
# forget. mem-history reads the history and prints deltas; mem-merge, the only writer,
# applies them. Sourced by bin/llm-memory (undo and forget with lib/llm-memory/update.sh,
# for the lock and rendering). Nothing of a tool's output is parsed here: the text is the
# user's, the deltas go from one tool to the other through a private temp file.

require_history_tool() {
  require_tool mem-history
}

# The arguments of each command are checked here, as every command's are, and only those
# mem-history knows are passed on (after its own options; a TEXT after --, so a text
# starting with - is a text): a wrong one gets one line and exit 64, never the tool's usage.

# change_id ID: ID is a change's number (from 1), as `log` shows it.
change_id() {
  case $1 in
    "" | *[!0-9]* | 0 | 0*) usage_error "'$1' is not a change id (a number from 1; llm memory log lists them)" ;;
  esac
  [ ${#1} -le 9 ] || usage_error "'$1' is not a change id (llm memory log lists them)"
}

# text_and_flags FLAGS ARG…: among ARGs, at most one TEXT (after --, a TEXT may start
# with -) and any of FLAGS (space-separated); anything else is refused. Sets $text,
# $have_text and $given: the flags given, each once, space-separated (only words of FLAGS).
text_and_flags() {
  allowed=" $1 "
  shift
  text="" have_text="" given=" "
  while [ $# -gt 0 ]; do
    case $1 in
      --)
        shift
        [ $# -gt 0 ] || return 0
        [ -z "$have_text" ] || unexpected "$@"
        text=$1 have_text=1
        shift
        [ $# -eq 0 ] || unexpected "$@"
        return 0
        ;;
      -?*)
        case $allowed in *" $1 "*) ;; *) unexpected "$@" ;; esac
        case $given in *" $1 "*) ;; *) given="$given$1 " ;; esac
        shift
        continue
        ;;
    esac
    [ -z "$have_text" ] || unexpected "$@"
    text=$1 have_text=1
    shift
  done
}

# given FLAG: whether text_and_flags found FLAG.
given() {
  case $given in *" $1 "*) return 0 ;; esac
  return 1
}

# history_view SUBCOMMAND ARG…: mem-history's text as it is; on a terminal in colour
# (unless NO_COLOR is set) and through $PAGER (default less -FRX), as git log pages it.
history_view() {
  require_history_tool
  view_command=$1
  shift
  if [ ! -t 1 ]; then
    tool mem-history "$view_command" --profile "$PROFILE" --color never "$@"
    return
  fi
  color=always
  [ -z "${NO_COLOR:-}" ] || color=never
  view_tmp=$(mktemp "${TMPDIR:-/tmp}/llm-memory-view.XXXXXX") || die_with 73 "cannot create a temp file"
  trap 'rm -f -- "$view_tmp"' EXIT
  tool mem-history "$view_command" --profile "$PROFILE" --color "$color" "$@" >"$view_tmp" || exit $?
  pager=${PAGER:-less}
  if command -v "${pager%% *}" >/dev/null 2>&1; then
    # $PAGER may carry arguments ("less -R"), as git allows.
    # shellcheck disable=SC2086
    LESS=${LESS:-FRX} $pager <"$view_tmp"
  else
    cat -- "$view_tmp"
  fi
}

# history_change SUBCOMMAND ARG…: under the update lock, mem-history prints the delta
# (undo, forget) into a private temp file, mem-merge applies and journals it, and the
# fragment is rendered again. mem-history's status stops it (1: nothing to do, its reason
# said on stderr).
history_change() {
  require_history_tool
  ensure_memory_dir
  change_tmp=$(mktemp "$MEMORY_DIR/.change.tmp.$$.XXXXXX" 2>/dev/null) ||
    die_with 73 "cannot create a temp file in $MEMORY_DIR"
  trap 'rm -f -- "$change_tmp"' EXIT
  trap 'exit 130' INT TERM HUP
  remove_stale_tmp "$MEMORY_DIR/.change"
  if ! lock_memory_dir 0; then
    note "waiting for the running update to finish…"
    lock_memory_dir 600 || die_with 75 "the update lock is still held; try again later"
  fi
  change_command=$1
  shift
  tool mem-history "$change_command" --profile "$PROFILE" "$@" >"$change_tmp" || exit $?
  tool mem-merge --profile "$PROFILE" --in-place "$change_tmp" || exit $?
  render_fragment || die_with "$?" "the profile was changed but the fragment could not be rendered"
  release_lock_and_follow_up
}

# ---- log, why, show --why ----------------------------------------------------------------

cmd_log() {
  json=""
  count=""
  while [ $# -gt 0 ]; do
    case $1 in
      --json) json=--json ;;
      -n)
        [ $# -ge 2 ] || usage_error "-n needs a number (how many changes)"
        case $2 in
          "" | *[!0-9]*) usage_error "-n takes a number from 0, not '$2'" ;;
        esac
        [ ${#2} -le 9 ] || usage_error "-n takes a number up to 999999999, not '$2'"
        count=$2
        shift
        ;;
      *) unexpected "$@" ;;
    esac
    shift
  done
  history_view log ${json:+"$json"} ${count:+-n "$count"}
}

about_log() {
  cat <<'ABOUT'
The profile's changes, newest first: each one's id, time and what made it (update,
backfill, edit, load, clear, undo, forget, hand edit), the bullets it added (+),
reworded (~ old → new) and removed (-), and for an update the exchanges it came from —
date, model and your words on one line, read from llm's logs.db (redacted), or what the
memory kept if logs.db no longer has them. A hand edit not yet recorded comes first.
-n N: the newest N. --json: one object per line (fields: README, mem-history). On a
terminal it pages ($PAGER, default less) in colour (not with NO_COLOR set).
ABOUT
}

cmd_why() {
  text_and_flags "--all --json" "$@"
  [ -n "$have_text" ] || usage_error "which bullet? (some of its words)"
  # $given holds only the flags named above, one word each.
  # shellcheck disable=SC2086
  history_view why $given -- "$text"
}

about_why() {
  cat <<'ABOUT'
Where the bullet(s) matching TEXT came from — TEXT as tolerantly as updates match
bullets (case, spacing, punctuation, a "Key:" prefix), or its words in order: when it
was added and each later change, by what — the exchange(s) with your words quoted from
llm's logs.db, date, model, conversation id — or by hand (edit, load, hand edit, undo),
and its earlier wordings. No bullet matches: exit 1 (`show` lists them); several: they
are listed, exit 1, unless --all. --json: one object per bullet per line.
ABOUT
}

# show --why: called by cmd_show.
show_why() {
  json=""
  case "${1:-}" in
    --json) json=--json; shift ;;
  esac
  no_arguments "$@"
  history_view blame ${json:+"$json"}
}

# ---- undo, forget ----------------------------------------------------------------------

cmd_undo() {
  id="" force=""
  while [ $# -gt 0 ]; do
    case $1 in
      --force) force=--force ;;
      -?*) unexpected "$@" ;;
      *)
        [ -z "$id" ] || unexpected "$@"
        change_id "$1"
        id=$1
        ;;
    esac
    shift
  done
  history_change undo ${force:+"$force"} ${id:+"$id"}
}

about_undo() {
  cat <<'ABOUT'
Takes back the newest change, or change ID (as `log` shows it), as a new change of its
own: what it added goes, what it replaced or removed comes back; undoing a forget lets
its text be learned again. Works for updates, edits, loads, clears, forgets, undos and
hand edits. The exchanges of an undone update are not learned again. If a later change
touched the same bullets it says which and changes nothing (exit 1), unless --force.
No such change: exit 65.
ABOUT
}

cmd_forget() {
  text_and_flags "--list --json --undo --all --anyway" "$@"
  if given --list; then
    [ -z "$have_text" ] || unexpected "$text"
    for flag in --undo --all --anyway; do
      ! given "$flag" || usage_error "--list takes no $flag"
    done
    require_history_tool
    # shellcheck disable=SC2086
    tool mem-history forget --profile "$PROFILE" $given
    return
  fi
  ! given --json || usage_error "--json goes with --list"
  [ -n "$have_text" ] || usage_error "what to forget? (some words of the bullet)"
  ! { given --undo && given --anyway; } || usage_error "--anyway goes with forget TEXT, not --undo"
  # shellcheck disable=SC2086
  history_change forget $given -- "$text"
}

about_forget() {
  cat <<'ABOUT'
Removes the bullet(s) matching TEXT now (several only with --all) and keeps TEXT from
being learned again: later updates skip whatever would add it back, whatever the model
proposes. No bullet matches: exit 1 (`show` lists them), unless --anyway, which puts
TEXT on the list all the same. The forgotten texts are a plain file, `forgotten` in the
memory dir (one per line, # comments), yours to edit. --list prints them (--json: one
JSON string per line); --undo TEXT lets TEXT be learned again.
ABOUT
}
