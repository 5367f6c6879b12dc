# shellcheck shell=sh
# llm-memory's commands on the profile's history: log, why, show --why (blame), undo,
# forget. mem-history reads the history and prints deltas; mem-merge, the only writer,
# applies them. Sourced by bin/llm-memory (undo and forget with lib/llm-memory/update.sh,
# for the lock and rendering). Nothing of a tool's output is parsed here: the text is the
# user's, the deltas go from one tool to the other through a private temp file.

require_history_tool() {
  require_tool mem-history
}

# history_view SUBCOMMAND ARG…: mem-history's text as it is; on a terminal in colour
# (unless NO_COLOR is set) and through $PAGER (default less -FRX), as git log pages it.
history_view() {
  require_history_tool
  if [ ! -t 1 ]; then
    tool mem-history "$@" --profile "$PROFILE" --color never
    return
  fi
  color=always
  [ -z "${NO_COLOR:-}" ] || color=never
  view_tmp=$(mktemp "${TMPDIR:-/tmp}/llm-memory-view.XXXXXX") || die_with 73 "cannot create a temp file"
  trap 'rm -f -- "$view_tmp"' EXIT
  tool mem-history "$@" --profile "$PROFILE" --color "$color" >"$view_tmp" || exit $?
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
  tool mem-history "$@" --profile "$PROFILE" >"$change_tmp" || exit $?
  tool mem-merge --profile "$PROFILE" --in-place "$change_tmp" || exit $?
  render_fragment || die_with "$?" "the profile was changed but the fragment could not be rendered"
  release_lock_and_follow_up
}

# ---- log, why, show --why ----------------------------------------------------------------

cmd_log() {
  history_view log "$@"
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
  [ $# -ge 1 ] || usage_error "which bullet? (some of its words)"
  history_view why "$@"
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
  history_view blame "$@"
}

# ---- undo, forget ----------------------------------------------------------------------

cmd_undo() {
  history_change undo "$@"
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
  case "${1:-}" in
    --list)
      shift
      require_history_tool
      tool mem-history forget --list "$@" --profile "$PROFILE"
      ;;
    "") usage_error "what to forget? (some words of the bullet)" ;;
    *) history_change forget "$@" ;;
  esac
}

about_forget() {
  cat <<'ABOUT'
Removes the bullet(s) matching TEXT now (several only with --all) and keeps TEXT from
being learned again: later updates skip whatever would add it back, whatever the model
proposes. The forgotten texts are a plain file, `forgotten` in the memory dir (one per
line, # comments), yours to edit. --list prints them (--json: one JSON string per
line); --undo TEXT lets TEXT be learned again.
ABOUT
}
