"""Test-only llm model `scripted`: answers with scripted text.

LLM_SCRIPTED_RULES names a JSON file: a list of rules
  {"match": "substring", "reply": "text"}           reply with text
  {"match": "substring", "error": "message"}        fail like a model error
  {"match": "substring", "sleep": seconds, ...}     wait first (timeouts)
The first rule whose "match" occurs in the system prompt or the prompt wins
("" matches everything). With no rule matching, the reply is "ok".
LLM_SCRIPTED_LOG names a file that gets one JSON line per call:
{"system": ..., "prompt": ..., "pid": "1234"} - what the model received, and the pid (a string) of
the process it ran in (a test can check that process is gone after a timeout).
"""
import json
import os
import time

import llm


def _rules():
    path = os.environ.get("LLM_SCRIPTED_RULES")
    if not path:
        return []
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@llm.hookimpl
def register_models(register):
    register(Scripted())


class Scripted(llm.Model):
    model_id = "scripted"
    can_stream = False

    def execute(self, prompt, stream, response, conversation=None):
        system = prompt.system or ""
        text = prompt.prompt or ""
        log = os.environ.get("LLM_SCRIPTED_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as f:
                f.write(json.dumps({"system": system, "prompt": text, "pid": str(os.getpid())}) + "\n")
        for rule in _rules():
            if rule.get("match", "") in system or rule.get("match", "") in text:
                if rule.get("sleep"):
                    time.sleep(float(rule["sleep"]))
                if "error" in rule:
                    raise llm.ModelError(rule["error"])
                yield rule.get("reply", "ok")
                return
        yield "ok"
