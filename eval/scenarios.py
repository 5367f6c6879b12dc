"""Scenario files: loading, checking, and the rule that decides whether a profile holds a fact.

A scenario (eval/scenarios/NN-name.json) is a user's conversations, in order, and what
the profile must say at the end:

    {"about": "one line: what it tests",
     "sessions": [[{"prompt": "...", "reply": "...", "system": "(optional, first turn only)"}, ...], ...],
     "expect": {"hold":     [FACT, ...],   facts the final profile must hold (recall)
                "not_hold": [FACT, ...],   facts it must never hold (forbidden)
                "stale":    [FACT, ...],   facts that were true once and must be gone (stale)
                "never_sent": ["...", ...]}}  strings no model may ever receive (secrets)

    FACT = {"fact": "how a person would say it", "any": ["keywords", ...], "unless": ["phrase", ...]}

The matching rule (eval/README.md explains it with examples): a fact is held when ONE
bullet of the profile matches ONE of its alternatives. An alternative is a string of
keywords; it matches a bullet when every keyword occurs in that bullet as a whole word,
case-insensitively, in any order ("backend engineer" matches "Engineer on the backend
team"); a keyword ending in `*` matches any word it begins ("postdoc*" matches
"postdoctoral"). A bullet containing a phrase of `unless` does not count for that fact;
for stale facts the phrases of PAST_MARKERS count as `unless` too, since "Lives in Lisbon
(moved from Amsterdam)" no longer says the user lives in Amsterdam.
"""
import json
import re
from dataclasses import dataclass
from pathlib import Path

# A stale fact mentioned as the past is not a stale fact.
PAST_MARKERS = ("previously", "formerly", "former", "no longer", "used to", "was", "were", "until",
                "moved from", "switched from", "migrated from", "instead of", "before", "ex",
                "früher", "ehemals", "vorher", "statt", "antes", "anteriormente")

_TOP_KEYS = {"about", "sessions", "expect"}
_EXPECT_KEYS = {"hold", "not_hold", "stale", "never_sent"}
_FACT_KEYS = {"fact", "any", "unless"}
_TURN_KEYS = {"prompt", "reply", "system"}


class ScenarioError(Exception):
    """A scenario file that cannot be used; the message is one line naming the file."""


def _word_pattern(text):
    """A case-insensitive pattern for a keyword or phrase, matched as whole words."""
    prefix = text.endswith("*") and len(text) > 1
    core = text[:-1] if prefix else text
    body = r"\s+".join(re.escape(part) for part in core.split())
    return re.compile(r"(?<!\w)" + body + ("" if prefix else r"(?!\w)"), re.IGNORECASE)


@dataclass(frozen=True)
class Fact:
    text: str
    alternatives: tuple   # of tuples of keyword patterns
    unless: tuple         # of phrase patterns

    def matches(self, bullet):
        if any(p.search(bullet) for p in self.unless):
            return False
        return any(all(k.search(bullet) for k in keywords) for keywords in self.alternatives)

    def bullets_holding(self, bullets):
        return [b for b in bullets if self.matches(b)]


@dataclass(frozen=True)
class Turn:
    prompt: str
    reply: str
    system: str | None


@dataclass(frozen=True)
class Scenario:
    name: str
    about: str
    sessions: tuple       # of tuples of Turn
    hold: tuple
    not_hold: tuple
    stale: tuple
    never_sent: tuple


def load(path):
    """The scenario in the file at `path`; raises ScenarioError saying what is wrong."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ScenarioError(f"{path}: cannot read it as JSON: {error}") from None
    where = str(path)
    _keys(data, _TOP_KEYS, {"about", "sessions", "expect"}, where)
    expect = data["expect"]
    _keys(expect, _EXPECT_KEYS, set(), f"{where}: expect")
    facts = {kind: tuple(_fact(f, f"{where}: expect.{kind}[{i}]", kind == "stale")
                         for i, f in enumerate(_list(expect.get(kind, []), f"{where}: expect.{kind}")))
             for kind in ("hold", "not_hold", "stale")}
    if not any(facts.values()):
        raise ScenarioError(f"{where}: expect names no fact (hold, not_hold or stale)")
    never_sent = tuple(_string(s, f"{where}: expect.never_sent[{i}]")
                       for i, s in enumerate(_list(expect.get("never_sent", []), f"{where}: expect.never_sent")))
    sessions = _list(data["sessions"], f"{where}: sessions", non_empty=True)
    return Scenario(name=path.stem, about=_string(data["about"], f"{where}: about"),
                    sessions=tuple(_session(s, f"{where}: sessions[{i}]") for i, s in enumerate(sessions)),
                    never_sent=never_sent, **facts)


def _session(value, where):
    turns = _list(value, where, non_empty=True)
    result = []
    for i, turn in enumerate(turns):
        at = f"{where}[{i}]"
        _keys(turn, _TURN_KEYS, {"prompt", "reply"}, at)
        system = turn.get("system")
        if system is not None and i > 0:
            raise ScenarioError(f"{at}: a system prompt belongs on a session's first turn"
                                " (llm logs it once per conversation)")
        result.append(Turn(prompt=_string(turn["prompt"], f"{at}.prompt"), reply=_string(turn["reply"], f"{at}.reply"),
                           system=None if system is None else _string(system, f"{at}.system")))
    return tuple(result)


def _fact(value, where, stale):
    _keys(value, _FACT_KEYS, {"fact", "any"}, where)
    alternatives = tuple(tuple(_word_pattern(k) for k in _string(a, f"{where}.any[{i}]").split())
                         for i, a in enumerate(_list(value["any"], f"{where}.any", non_empty=True)))
    unless = [_string(u, f"{where}.unless[{i}]")
              for i, u in enumerate(_list(value.get("unless", []), f"{where}.unless"))]
    if stale:
        unless += PAST_MARKERS
    return Fact(text=_string(value["fact"], f"{where}.fact"), alternatives=alternatives,
                unless=tuple(_word_pattern(u) for u in unless))


def _keys(value, allowed, required, where):
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected an object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ScenarioError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
    missing = sorted(required - set(value))
    if missing:
        raise ScenarioError(f"{where}: missing key {missing[0]!r}")


def _list(value, where, non_empty=False):
    if not isinstance(value, list) or (non_empty and not value):
        raise ScenarioError(f"{where}: expected a{' non-empty' if non_empty else ''} list")
    return value


def _string(value, where):
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(f"{where}: expected a non-empty string")
    return value
