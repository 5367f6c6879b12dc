"""The quality evaluation of llm-user-memory (`make eval`).

For each scenario in eval/scenarios/: logs its sessions one by one into a scratch llm
log database through llm's own Python API, runs the real `llm-memory update` after each
(and once before the first, to fix memory's starting point), then scores the final
profile: facts found / expected (recall), forbidden facts stored, stale facts left,
secrets a model received, bullets, model calls and characters sent (counted by
eval/llm-shim, the `llm` the updates call). Prints a table and a summary line.

Run it with the Python of the pinned llm venv (it imports llm). Exit status: 0 when every
scenario ran, whatever its figures; 64 usage; 65 a scenario file is invalid; 69 the tools
or llm are missing, or the model cannot be used (no key: `llm keys set …`); 70 an update
failed (the table still shows the other scenarios).
"""
import argparse
import os
import shutil
import sys
from pathlib import Path

import evaluate
import report
import sandbox as sb
import scenarios

HERE = Path(__file__).resolve().parent
UNUSABLE_MODEL = 69   # llm-memory update's status when the model cannot be used (no key, unknown)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(64, f"{self.prog}: {message}\n")


def parse(argv):
    parser = Parser(prog="eval/run.py", description=__doc__.split("\n\n")[1],
                    formatter_class=argparse.RawDescriptionHelpFormatter,
                    epilog="EVAL_MODEL, EVAL_LLM, EVAL_TIMEOUT set the defaults of --model, --llm, --timeout.")
    parser.add_argument("scenario", nargs="*", help="scenario files (default: every eval/scenarios/*.json)")
    parser.add_argument("--model", default=os.environ.get("EVAL_MODEL") or "local",
                        help="the memory model: an llm model id, or local (the offline extractor; the default)")
    parser.add_argument("--tools", default=str(HERE.parent / ".build" / "debug"),
                        help="the directory holding the built mem-* tools (default: .build/debug)")
    parser.add_argument("--llm", default=os.environ.get("EVAL_LLM"),
                        help="the llm executable model calls use (default: llm on PATH, else the venv's)")
    parser.add_argument("--timeout", type=int, default=int(os.environ.get("EVAL_TIMEOUT") or 900),
                        help="seconds one update may take (default 900)")
    parser.add_argument("--json", action="store_true", help="print the figures and details as JSON")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="list what each scenario missed or stored wrongly; twice: every bullet too")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory and print where it is")
    args = parser.parse_args(argv)
    args.model = args.model or "local"
    return args


def real_llm(chosen):
    """The llm model calls go to: the one asked for, the user's, else the venv's."""
    if chosen:
        found = shutil.which(chosen)
        if not found:
            raise sb.HarnessError(f"llm not found: {chosen}")
        return os.path.abspath(found)
    venv = Path(sys.executable).parent / "llm"
    return shutil.which("llm") or str(venv)


def main(argv):
    args = parse(argv)
    files = args.scenario or sorted(str(p) for p in (HERE / "scenarios").glob("*.json"))
    try:
        loaded = [scenarios.load(f) for f in files]
    except scenarios.ScenarioError as error:
        print(f"eval: {error}", file=sys.stderr)
        return 65
    if not loaded:
        print("eval: no scenario files", file=sys.stderr)
        return 66
    try:
        box = sb.Sandbox(args.tools, args.model, real_llm(args.llm), keep=args.keep)
    except sb.HarnessError as error:
        print(f"eval: {error}", file=sys.stderr)
        return 69
    progress = _progress() if sys.stderr.isatty() else (lambda _: None)
    # The logged exchanges name the model the user talks to; offline there is none.
    logged_model = "eval-assistant" if args.model == "local" else args.model
    results = []
    try:
        for number, scenario in enumerate(loaded, 1):
            def step(text, number=number):
                progress(f"[{number}/{len(loaded)}] {text}")
            results.append(evaluate.run(scenario, box, args.timeout, logged_model, step))
            if results[-1].error_status == UNUSABLE_MODEL:
                break   # no key, unknown model: every other scenario would fail the same way
    finally:
        progress("")
        box.remove()
    if args.json:
        print(report.as_json(results, args.model))
    else:
        print(report.table(results))
        if args.verbose:
            print()
            print(report.details(results, show_profiles=args.verbose > 1))
        print()
        print(report.summary(results, args.model))
    if args.keep:
        print(f"eval: scratch kept in {box.root}", file=sys.stderr)
    failed = [r for r in results if r.error is not None]
    if failed and failed[-1].error_status == UNUSABLE_MODEL:
        print(f"eval: stopped: model {args.model} cannot be used ({failed[-1].error})", file=sys.stderr)
        return UNUSABLE_MODEL
    if failed:
        print(f"eval: {len(failed)} of {len(results)} scenarios failed (see the table)", file=sys.stderr)
    return 70 if failed else 0


def _progress():
    """One updating line on stderr (a terminal only): which scenario and session runs."""
    def show(text):
        sys.stderr.write("\r\033[K" + (f"eval: {text}" if text else ""))
        sys.stderr.flush()
    return show


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
