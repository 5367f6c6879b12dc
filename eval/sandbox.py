"""Scratch directories and the real `llm-memory update`, run the way a user runs it.

Everything the evaluation writes is under one scratch directory: per scenario its own
HOME, LLM_USER_PATH (logs.db) and memory dir. The user's llm files are never opened,
except that with a real model the user's llm settings (keys, aliases, extra OpenAI
models) are copied, read-only, into a separate scratch user dir for the model calls.
"""
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

import logbook

REPO = Path(__file__).resolve().parent.parent
SHIM = REPO / "eval" / "llm-shim"
TOOLS = ("mem-extract", "mem-propose", "mem-merge", "mem-render")
# The user's llm settings a model call may need; never logs.db.
LLM_SETTINGS = ("keys.json", "aliases.json", "extra-openai-models.yaml", "model_options.json")
# Settings of the user's environment that would point the run at the user's own files or
# change what is measured; of llm-memory's own, only the batching knobs pass through (so
# `LLM_MEMORY_BUDGET=4000 make eval` measures a smaller budget).
_DROPPED = ("LLM_USER_PATH", "LLM_MODEL", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
_PASSED = ("LLM_MEMORY_BUDGET", "LLM_MEMORY_BATCH")


class HarnessError(Exception):
    """The harness cannot go on (a stage failed, a tool is missing); one line, and the
    failing command's exit status when there is one (69: the model cannot be used)."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Stage:
    """One scenario's scratch dirs and environment."""
    root: Path
    env: dict

    @property
    def logs_db(self):
        return Path(self.env["LLM_USER_PATH"]) / "logs.db"

    @property
    def profile(self):
        return Path(self.env["LLM_MEMORY_DIR"]) / "profile.md"

    @property
    def calls(self):
        return Path(self.env["EVAL_CALL_LOG"])


class Sandbox:
    """The scratch root: a bin dir holding the porcelain beside the tools, as installed."""

    def __init__(self, tools_dir, model, real_llm, keep=False):
        self.model = model
        self.real_llm = real_llm
        self.keep = keep
        self.root = Path(tempfile.mkdtemp(prefix="llm-memory-eval-"))
        self.bin = self.root / "bin"
        self.bin.mkdir()
        # The porcelain takes the tools beside it (this build's, not an installed or stale one).
        (self.bin / "llm-memory").symlink_to(REPO / "bin" / "llm-memory")
        for tool in TOOLS:
            path = Path(tools_dir) / tool
            if not os.access(path, os.X_OK):
                raise HarnessError(f"{path} not found: build the tools first (swift build)")
            (self.bin / tool).symlink_to(path.resolve())
        for part in ("lib", "share"):   # the porcelain's own files, where an install keeps them
            if (REPO / part).is_dir():
                (self.root / part).symlink_to(REPO / part)
        self.empty_db = self.root / "empty-logs.db"
        logbook.create_database(self.empty_db)
        self.model_user_path = self.root / "model-llm"
        self.model_user_path.mkdir(mode=0o700)
        if model != "local":
            self._copy_llm_settings()

    def _copy_llm_settings(self):
        user_dir = Path(os.environ.get("LLM_USER_PATH") or click.get_app_dir("io.datasette.llm"))
        for name in LLM_SETTINGS:
            if (user_dir / name).is_file():
                target = self.model_user_path / name
                shutil.copyfile(user_dir / name, target)
                target.chmod(0o600)

    def stage(self, name):
        root = self.root / name
        for sub in ("home", "llm", "calls", "tmp"):
            (root / sub).mkdir(parents=True, mode=0o700)
        env = {k: v for k, v in os.environ.items()
               if k not in _DROPPED and (k in _PASSED or not k.startswith("LLM_MEMORY_"))}
        env.update({
            "HOME": str(root / "home"),
            "TMPDIR": str(root / "tmp"),
            "LLM_USER_PATH": str(root / "llm"),
            "LLM_MEMORY_DIR": str(root / "llm" / "memory"),
            "LLM_MEMORY_MODEL": self.model,
            "LLM_MEMORY_LLM": str(SHIM),
            "EVAL_CALL_LOG": str(root / "calls"),
            "EVAL_REAL_LLM": self.real_llm,
            "EVAL_MODEL_USER_PATH": str(self.model_user_path),
            "PATH": os.pathsep.join([str(self.bin), str(Path(self.real_llm).parent), "/usr/bin", "/bin"]),
            "LANG": os.environ.get("LANG") or "C.UTF-8",
        })
        stage = Stage(root=root, env=env)
        shutil.copyfile(self.empty_db, stage.logs_db)
        return stage

    def update(self, stage, timeout):
        """Runs `llm-memory update` for the stage; returns its stderr, raises HarnessError if it fails."""
        try:
            run = subprocess.run([str(self.bin / "llm-memory"), "update"], check=False, env=stage.env, cwd=stage.root,
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise HarnessError(f"llm-memory update took more than {timeout} s") from None
        if run.returncode != 0:
            last = (run.stderr.strip().splitlines() or ["no message"])[-1]
            raise HarnessError(f"llm-memory update failed (exit {run.returncode}): {last}", run.returncode)
        return run.stderr

    def remove(self):
        if self.keep:
            return
        shutil.rmtree(self.root, ignore_errors=True)


def bullets(profile):
    """The top-level bullets of a profile's `## ` sections, without their markers."""
    try:
        text = profile.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    result, in_section = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            in_section = True
        elif line.startswith("# "):
            in_section = False
        elif in_section and line[:2] in ("- ", "* ", "+ ") and line[2:].strip():
            result.append(line[2:].strip())
    return result


def sent(calls):
    """What the model calls received: one (system, prompt) pair of texts per call."""
    result = []
    for prompt in sorted(calls.glob("call.*")):
        if prompt.name.endswith("-system"):
            continue
        system = prompt.with_name(prompt.name + "-system")
        result.append((system.read_text(encoding="utf-8", errors="replace") if system.exists() else "",
                       prompt.read_text(encoding="utf-8", errors="replace")))
    return result
