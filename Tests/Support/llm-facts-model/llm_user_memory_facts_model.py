"""Test-only llm model `facts`: a deterministic stand-in for the update's model.

The crash and concurrency tests log exchanges that each state one unique fact
("I like fact-0037."). Asked by mem-propose, this model reads the exchanges in the
prompt - numbered `<exchange n="N">` with the user's words in `<user>...</user>` - and
answers with exactly one op per fact it was shown:

  {"ops": [{"op": "add", "section": "Interests", "text": "Likes fact-0037", "ex": N}, ...]}

Any other prompt (what a user types through `llm -m facts ...`) gets the reply "Noted."
Only the `<user>` part of an exchange is read, never the assistant's or the profile's text.

FACTS_MODEL_LOG names a file that gets one JSON line per call, appended in one write:
{"pid", "ppid", "start", "end" (time.time()), "facts": [the facts answered], "kind":
"propose" | "chat"}. FACTS_MODEL_SLEEP=S makes a call first write its pid to
"$FACTS_MODEL_LOG.started" and wait S seconds (a slow model).

The same file is two things:
- an llm plugin (entry point `llm_user_memory_facts_model`), installed into the llm 0.36
  test venv by scripts/setup-test-env.sh: the model `facts`, called through the real llm;
- run as a script (`python3 llm_user_memory_facts_model.py ARGS`), a fake `llm` executable
  for LLM_MEMORY_LLM that answers `prompt -m facts --no-log -s SYSTEM` (prompt on stdin)
  and `models default` the same way in ~20 ms instead of ~0.7 s, without importing llm.
"""
import json
import os
import re
import sys
import time

_EXCHANGE = re.compile(r'<exchange n="(\d+)">\s*<user>(.*?)</user>', re.S)
_FACT = re.compile(r"\bfact-\d+\b")


def reply_to(prompt):
    """The reply text and the facts it answers, for one prompt."""
    exchanges = _EXCHANGE.findall(prompt or "")
    if not exchanges:
        return "Noted.", [], "chat"
    ops, facts = [], []
    for number, user in exchanges:
        for fact in _FACT.findall(user):
            ops.append({"op": "add", "section": "Interests", "text": "Likes " + fact, "ex": int(number)})
            facts.append(fact)
    return json.dumps({"ops": ops}), facts, "propose"


def _maybe_sleep():
    seconds = os.environ.get("FACTS_MODEL_SLEEP")
    if not seconds:
        return
    path = os.environ.get("FACTS_MODEL_LOG")
    if path:
        with open(path + ".started", "w", encoding="utf-8") as f:
            f.write("%d\n" % os.getpid())
    time.sleep(float(seconds))


def _log(start, facts, kind):
    path = os.environ.get("FACTS_MODEL_LOG")
    if not path:
        return
    line = json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "start": start, "end": time.time(),
                       "facts": facts, "kind": kind}) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def main(argv):
    """The fake `llm` executable: `prompt -m facts ... ` (stdin) and `models default`."""
    if argv[:2] == ["models", "default"]:
        print("facts")
        return 0
    if not argv or argv[0] != "prompt":
        print("Error: the fake llm only answers `prompt` and `models default`", file=sys.stderr)
        return 2
    if "-m" in argv and argv[argv.index("-m") + 1] != "facts":
        print("Error: Unknown model: " + argv[argv.index("-m") + 1], file=sys.stderr)
        return 1
    start = time.time()
    _maybe_sleep()
    text, facts, kind = reply_to(sys.stdin.read())
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    _log(start, facts, kind)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
else:
    import llm

    @llm.hookimpl
    def register_models(register):
        register(Facts())

    class Facts(llm.Model):
        model_id = "facts"
        can_stream = False

        def execute(self, prompt, stream, response, conversation=None):
            start = time.time()
            _maybe_sleep()
            text, facts, kind = reply_to(prompt.prompt or "")
            _log(start, facts, kind)
            yield text
