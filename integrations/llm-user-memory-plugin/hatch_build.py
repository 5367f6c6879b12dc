"""hatchling build hook: the wheel of llm-user-memory.

`make wheel` stages what the package carries besides the adapter — bin/ (the llm-memory
porcelain beside the stripped mem-* release tools), lib/ and share/ as they are in the
repository — in one directory and names it in $LLM_MEMORY_WHEEL_TREE. This hook puts
that tree inside the package (llm_user_memory_adapter/bin/…, the layout `make install`
makes under its PREFIX, so the porcelain finds its parts the same way everywhere) and
tags the wheel for the platform its executables run on, read from their ELF headers
rather than assumed from the machine building it:

- every executable static (no program interpreter, as `make build` links them): they
  need no C library, no loader and no shared library from the host, only a kernel the
  static glibc accepts (3.2 on x86_64, 3.7 on aarch64). Tagged
  `manylinux_2_17_<arch>.manylinux2014_<arch>`: the oldest manylinux baseline whose
  kernels (CentOS 7, 3.10) meet that; a lower tag would promise kernels the binaries
  refuse. (They would run under musl too, but no musllinux pip has tried them.)
- any executable dynamic: `linux_<arch>` — this machine's kind of Linux, nothing
  promised beyond it.

Only Linux is handled; the README says what a macOS wheel would need. Editable installs
(`llm install -e`) get the adapter alone, as before.

The version is the project's (share/llm-memory/VERSION, which the porcelain and the tools
report too; `base-version` in pyproject.toml only when it cannot be read) with a local label
naming the content: `0.2.0+<12 hex of SHA-256 over the staged tree and this project's files>`. pip
keeps an installed distribution of the same version when asked to install a wheel file
("already installed with the same version"), so a wheel rebuilt after a change must
differ in version for `llm install dist/*.whl` to take it; a rebuild of the same content
keeps its version, and pip rightly does nothing.
"""

import hashlib
import os
import struct
import sys

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.metadata.plugin.interface import MetadataHookInterface

PACKAGE = "llm_user_memory_adapter"
TREE_VARIABLE = "LLM_MEMORY_WHEEL_TREE"
ELF_MAGIC = b"\x7fELF"
PT_INTERP = 3
MACHINES = {62: "x86_64", 183: "aarch64"}  # ELF e_machine → wheel platform arch


def _elf(path):
    """(arch number, static?) of an ELF file; None for any other file."""
    with open(path, "rb") as f:
        header = f.read(64)
        if len(header) < 64 or header[:4] != ELF_MAGIC:
            return None
        order = "<" if header[5] == 1 else ">"
        (machine,) = struct.unpack_from(order + "H", header, 0x12)
        if header[4] == 2:  # 64-bit
            (table,) = struct.unpack_from(order + "Q", header, 0x20)
            entry_size, count = struct.unpack_from(order + "HH", header, 0x36)
        else:
            (table,) = struct.unpack_from(order + "I", header, 0x1C)
            entry_size, count = struct.unpack_from(order + "HH", header, 0x2A)
        f.seek(table)
        headers = f.read(entry_size * count)
    types = [struct.unpack_from(order + "I", headers, i * entry_size)[0] for i in range(count)]
    return machine, PT_INTERP not in types


def platform_tag(tree):
    """The wheel platform tag for the executables under `tree` (see the module doc)."""
    if not sys.platform.startswith("linux"):
        raise SystemExit(f"llm-user-memory: wheels are built on Linux only so far, not {sys.platform} "
                         "(README: Install, other platforms)")
    found = []
    for directory, _, names in os.walk(tree):
        for name in names:
            info = _elf(os.path.join(directory, name))
            if info is not None:
                found.append(info)
    if not found:
        raise SystemExit(f"llm-user-memory: no executables in {tree}; build the wheel with `make wheel`")
    machines = {machine for machine, _ in found}
    if len(machines) != 1 or next(iter(machines)) not in MACHINES:
        raise SystemExit(f"llm-user-memory: executables for unsupported or mixed machines {sorted(machines)}")
    arch = MACHINES[machines.pop()]
    if all(static for _, static in found):
        return f"manylinux_2_17_{arch}.manylinux2014_{arch}"
    return f"linux_{arch}"


def content_digest(*roots):
    """12 hex digits of SHA-256 over `roots` (files, and the files under directories):
    relative path, whether executable, bytes (bytecode caches left out)."""
    digest = hashlib.sha256()
    for root in roots:
        if os.path.isfile(root):
            paths = [(os.path.basename(root), root)]
        else:
            paths = []
            for directory, subdirectories, names in os.walk(root):
                subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
                paths += [(os.path.relpath(os.path.join(directory, n), root), os.path.join(directory, n))
                          for n in sorted(names)]
        for name, path in paths:
            digest.update(name.encode() + b"\0" + (b"x\0" if os.access(path, os.X_OK) else b"-\0"))
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()[:12]


def project_version(tree, root):
    """The version the porcelain and the tools report (share/llm-memory/VERSION: one place
    for all of them), from the staged tree, else from the checkout this directory is in."""
    for base in ([tree] if tree else []) + [os.path.join(root, "..", "..")]:
        try:
            with open(os.path.join(base, "share", "llm-memory", "VERSION"), encoding="utf-8") as f:
                return f.read().strip()
        except OSError:
            continue
    return None


class CustomMetadataHook(MetadataHookInterface):
    def update(self, metadata):
        tree = os.environ.get(TREE_VARIABLE, "")
        version = project_version(tree, self.root) or self.config["base-version"]
        if tree:
            project = [os.path.join(self.root, name) for name in (PACKAGE, "pyproject.toml", "hatch_build.py", "README.md")]
            version += "+" + content_digest(tree, *project)
        metadata["version"] = version


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if version == "editable":
            return
        tree = os.environ.get(TREE_VARIABLE, "")
        if not os.path.isfile(os.path.join(tree, "bin", "llm-memory")):
            raise SystemExit("llm-user-memory: the wheel carries the release tools: build it with "
                             f"`make wheel` in the repository (${TREE_VARIABLE} names no staged tree)")
        build_data["tag"] = "py3-none-" + platform_tag(tree)
        build_data["pure_python"] = False
        build_data["force_include"][os.path.abspath(tree)] = PACKAGE
