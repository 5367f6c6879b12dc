"""What llm-memory needs to know about the llm installation, asked of llm's own Python.

Run by the interpreter that runs llm (lib/llm-memory/shell.sh finds it), so the answers
are llm's own rather than read out of its help text or its launcher:

  python llm_info.py site       where this Python installs packages, which is where
                                `llm install` puts plugins; exit 1 when it cannot import
                                llm (so it is not llm's Python)
  python llm_info.py commands   the names of llm's commands, core and plugins, on one line
"""

import sys


def main(argv):
    what = argv[1] if len(argv) == 2 else ""
    if what == "site":
        import importlib.util
        import sysconfig

        if importlib.util.find_spec("llm") is None:
            return 1
        print(sysconfig.get_paths()["purelib"])
        return 0
    if what == "commands":
        from llm.cli import cli  # importing llm's CLI registers the plugins' commands

        print(" ".join(sorted(cli.commands)))
        return 0
    print("usage: llm_info.py site|commands", file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
