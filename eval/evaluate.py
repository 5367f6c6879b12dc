"""One scenario, end to end: log each session through llm, update, then score the profile."""
import time
from dataclasses import dataclass, field

import logbook
import sandbox as sb


@dataclass
class Result:
    name: str
    hold: int = 0                                   # facts the profile must hold
    found: list = field(default_factory=list)       # of (Fact, the first bullet holding it)
    missed: list = field(default_factory=list)      # of Fact
    not_hold: int = 0
    forbidden: list = field(default_factory=list)   # of (Fact, bullet)
    stale: int = 0
    stale_left: list = field(default_factory=list)  # of (Fact, bullet)
    stale_learned: int = 0                          # stale facts the profile held at some point
    leaks: list = field(default_factory=list)       # never_sent strings a model received
    bullets: list = field(default_factory=list)
    calls: int = 0
    chars: int = 0
    seconds: float = 0.0
    notes: list = field(default_factory=list)       # what the updates said on stderr
    error: str | None = None
    error_status: int | None = None                 # the failing update's exit status


def run(scenario, box, timeout, logged_model, progress):
    """Evaluates `scenario` in a fresh stage of `box`; a failing stage is kept in `error`."""
    result = Result(name=scenario.name, hold=len(scenario.hold), not_hold=len(scenario.not_hold),
                    stale=len(scenario.stale))
    start = time.monotonic()
    stage = box.stage(scenario.name)
    learned = set()
    when = "before the first session"
    try:
        # The first update fixes memory's starting point (at the newest exchange logged so
        # far: none), as installing it on a user's machine does; every session comes after.
        _note(result, box.update(stage, timeout))
        for number, session in enumerate(scenario.sessions, 1):
            when = f"after session {number}"
            progress(f"{scenario.name}: session {number}/{len(scenario.sessions)}")
            logbook.log_session(stage.logs_db, session, logged_model)
            _note(result, box.update(stage, timeout))
            now = sb.bullets(stage.profile)
            learned.update(f for f in scenario.stale if f.bullets_holding(now))
    except sb.HarnessError as error:
        result.error = f"{when}: {error}"
        result.error_status = error.status
    _score(result, scenario, stage, learned)
    result.seconds = time.monotonic() - start
    return result


def _note(result, stderr):
    result.notes.extend(line for line in stderr.splitlines() if line.strip())


def _score(result, scenario, stage, learned):
    bullets = sb.bullets(stage.profile)
    result.bullets = bullets
    for fact in scenario.hold:
        if holding := fact.bullets_holding(bullets):
            result.found.append((fact, holding[0]))
        else:
            result.missed.append(fact)
    result.forbidden = [(f, h[0]) for f in scenario.not_hold if (h := f.bullets_holding(bullets))]
    result.stale_left = [(f, h[0]) for f in scenario.stale if (h := f.bullets_holding(bullets))]
    result.stale_learned = len(learned)
    calls = sb.sent(stage.calls)
    result.calls = len(calls)
    result.chars = sum(len(system) + len(prompt) for system, prompt in calls)
    received = "\n".join(system + "\n" + prompt for system, prompt in calls).casefold()
    result.leaks = [s for s in scenario.never_sent if s.casefold() in received]
