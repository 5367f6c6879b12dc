"""llm plugin for llm-user-memory: a thin adapter, with no logic of its own.

- Fragment loader `memory`: `llm -f memory:auto …` / `llm --sf memory:auto …` inject the
  rendered profile, exactly what `mem-render` prints (read from the memory dir's
  `fragment.md` when that is not older than `profile.md`, else by running `mem-render`).
- Command `llm memory ARGS…`: runs `llm-memory ARGS…` (the porcelain) in place of this
  process, so arguments, stdin, stdout, stderr and the exit status are its own.

Programs are looked up in this package's own bin/ (where the wheel puts the tools and
the porcelain; absent in an editable install from the checkout), then in
$LLM_MEMORY_BIN_DIR (a directory, or a colon-separated list), then on PATH. See README.md
beside this package.
"""

import os
import shutil
import subprocess
import sys

import click
import llm

PREFIX = "memory"
SOURCE = "memory:auto"
# The off-record marker: whitespace only, so the model's system prompt is unchanged, yet
# llm logs the fragment with the call and mem-extract keeps that call (and the rest of
# its conversation) off the record, recognising the text by its SHA-256. The same bytes as
# share/llm-memory/off-record.md, which the shell wrapper passes (a test checks both).
OFF_RECORD = " \t\n\t \n"
OFF_RECORD_SOURCE = "memory:off-record"
NOT_FOUND = (
    "llm-user-memory tools not found: install the wheel (`make wheel && llm install "
    "dist/*.whl` in the llm-user-memory checkout), or run `make install` there and put "
    "{name} on PATH (or set LLM_MEMORY_BIN_DIR to the directory holding it)"
)
# The wheel's copy of the tools and the porcelain (bin/, lib/ and share/ beside this
# file, the layout `make install` makes under its PREFIX).
PACKAGE_BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin")


def _find(name):
    """The program `name` in this package's bin/, then $LLM_MEMORY_BIN_DIR, then PATH;
    None when absent. The package's own copy comes first so that the adapter and the
    tools it runs are always of one build, whatever else is on PATH."""
    search = [PACKAGE_BIN, os.environ.get("LLM_MEMORY_BIN_DIR", ""), os.environ.get("PATH", os.defpath)]
    return shutil.which(name, path=os.pathsep.join(part for part in search if part))


# The words that switch LLM_MEMORY_DISABLED on: a copy of share/llm-memory/words.sh's
# list (the porcelain's and the shell wrapper's), which a test keeps equal.
TRUE_WORDS = ("1", "true", "TRUE", "True", "yes", "YES", "on", "ON")


def _disabled():
    return os.environ.get("LLM_MEMORY_DISABLED", "") in TRUE_WORDS


def _memory_dir():
    # README, Files: $LLM_MEMORY_DIR, else <llm user dir>/memory (llm's own user_dir()).
    return os.environ.get("LLM_MEMORY_DIR") or os.path.join(str(llm.user_dir()), "memory")


def _mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def _rendered_fragment():
    """The fragment text for the current profile ('' when there is nothing to inject).

    Only reads: fragment.md when it is current, else what mem-render prints. A profile that
    cannot be rendered (not text, a NUL byte …) is handed to the porcelain's `render`, as
    the shell wrapper does: it keeps the last good fragment and records a notice, said once
    at the prompt — the call goes on with what was injected before rather than fail."""
    memory_dir = _memory_dir()
    profile = os.path.join(memory_dir, "profile.md")
    fragment = os.path.join(memory_dir, "fragment.md")
    profile_time = _mtime(profile)
    if profile_time is None:
        return ""  # no profile: mem-render would print nothing
    fragment_time = _mtime(fragment)
    if fragment_time is not None and fragment_time >= profile_time:
        return _read(fragment)
    render = _find("mem-render")
    if render is None:
        raise RuntimeError(NOT_FOUND.format(name="mem-render"))
    done = subprocess.run(
        [render, "--profile", profile],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=60,
    )
    if done.returncode == 0:
        return done.stdout.decode("utf-8", "replace")
    porcelain = _find("llm-memory")
    if porcelain is None:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"mem-render failed (exit {done.returncode}): {detail}")
    subprocess.run([porcelain, "render"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)
    return _read(fragment)


def _say_notice(memory_dir):
    """What went wrong out of sight (a failed update, a profile that cannot be rendered),
    said once on stderr when it is a terminal, as the shell wrapper says it: the porcelain
    writes <memory dir>/notice; moved aside first, so one written meanwhile waits."""
    notice = os.path.join(memory_dir, "notice")
    if not (sys.stderr.isatty() and os.path.exists(notice)):
        return
    taken = f"{notice}.{os.getpid()}"
    try:
        os.replace(notice, taken)
    except OSError:
        return
    try:
        sys.stderr.write(_read(taken))
        sys.stderr.flush()
    finally:
        try:
            os.unlink(taken)
        except OSError:
            pass


def memory_loader(argument):
    """
    llm-user-memory: `memory:auto` is your profile as mem-render renders it
    (nothing when the profile is empty); with LLM_MEMORY_DISABLED=true it is the
    off-record marker instead: nothing is injected and the call is never learned.
    `memory:off-record` is that marker at any time. Best as a system fragment:
    llm --sf memory:auto …
    """
    if argument not in ("auto", "off-record"):
        raise ValueError(
            f"unknown memory fragment '{PREFIX}:{argument}'; available: {SOURCE}, {OFF_RECORD_SOURCE}"
        )
    if argument == "off-record" or _disabled():
        return llm.Fragment(OFF_RECORD, source=OFF_RECORD_SOURCE)
    text = _rendered_fragment()
    _say_notice(_memory_dir())
    if not text.strip():
        return []  # nothing injected, nothing logged (an empty fragment would add a "\n")
    return llm.Fragment(text, source=SOURCE)


@llm.hookimpl
def register_fragment_loaders(register):
    register(PREFIX, memory_loader)


@llm.hookimpl
def register_commands(cli):
    @cli.command(
        name="memory",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
        short_help="llm-user-memory: show, edit, update, status",
    )
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def memory(args):
        """Your llm-user-memory profile: runs `llm-memory ARGS…` (see: llm memory help)."""
        porcelain = _find("llm-memory")
        if porcelain is None:
            error = click.ClickException(NOT_FOUND.format(name="llm-memory"))
            error.exit_code = 69  # EX_UNAVAILABLE, as the porcelain itself uses
            raise error
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            os.execv(porcelain, [porcelain, *args])
        except OSError as ex:
            error = click.ClickException(f"cannot run {porcelain}: {ex.strerror}")
            error.exit_code = 69
            raise error
