"""The evaluation's output: a table per scenario, details on request, a summary line, or JSON."""
import json

COLUMNS = ("scenario", "recall", "forbidden", "stale left", "(learned)", "secrets sent", "bullets", "calls",
           "chars sent")


def totals(results):
    """The sums over the scenarios that ran to the end (a failed one has no figures)."""
    done = [r for r in results if r.error is None]
    return {
        "scenarios": len(done),
        "failed": len(results) - len(done),
        "found": sum(len(r.found) for r in done), "expected": sum(r.hold for r in done),
        "forbidden": sum(len(r.forbidden) for r in done), "not_hold": sum(r.not_hold for r in done),
        "stale_left": sum(len(r.stale_left) for r in done), "stale": sum(r.stale for r in done),
        "stale_learned": sum(r.stale_learned for r in done),
        "leaks": sum(len(r.leaks) for r in done),
        "bullets": sum(len(r.bullets) for r in done),
        "calls": sum(r.calls for r in done), "chars": sum(r.chars for r in done),
        "seconds": sum(r.seconds for r in results),
    }


def _row(name, t):
    return (name, f"{t['found']}/{t['expected']}", f"{t['forbidden']}/{t['not_hold']}",
            f"{t['stale_left']}/{t['stale']}", f"({t['stale_learned']})", str(t["leaks"]), str(t["bullets"]),
            str(t["calls"]), f"{t['chars']:,}")


def table(results):
    rows = [COLUMNS] + [_row(r.name, totals([r])) for r in results if r.error is None]
    rows.append(_row("total", totals(results)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join([row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)])
             for row in rows]
    lines[-1:-1] = [f"{r.name}  FAILED: {r.error}" for r in results if r.error is not None]
    return "\n".join(lines)


def details(results, show_profiles):
    """What each scenario missed, stored wrongly or kept stale, and what the updates said;
    with `show_profiles`, also what each found fact matched and every bullet."""
    lines = []
    for r in results:
        lines.append(f"{r.name}:")
        if show_profiles:
            lines += [f"  found      {f.text}  <- \"{b}\"" for f, b in r.found]
        lines += [f"  missed     {f.text}" for f in r.missed]
        lines += [f"  forbidden  {f.text}  <- \"{b}\"" for f, b in r.forbidden]
        lines += [f"  stale      {f.text}  <- \"{b}\"" for f, b in r.stale_left]
        lines += [f"  sent       a secret: {s[:4]}… ({len(s)} characters)" for s in r.leaks]
        lines += [f"  update     {n}" for n in r.notes]
        if show_profiles:
            lines += [f"  bullet     {b}" for b in r.bullets] or ["  (no bullets)"]
    return "\n".join(lines)


def summary(results, model):
    t = totals(results)
    recall = 100.0 * t["found"] / t["expected"] if t["expected"] else 0.0
    failed = f" · {t['failed']} FAILED" if t["failed"] else ""
    return (f"recall {recall:.1f}% ({t['found']}/{t['expected']} facts)"
            f" · forbidden stored {t['forbidden']}/{t['not_hold']}"
            f" · stale left {t['stale_left']}/{t['stale']} (learned {t['stale_learned']}) · secrets sent {t['leaks']}"
            f" · {t['bullets']} bullets · {t['calls']} model calls · {t['chars']:,} characters sent"
            f" · model {model} · {t['scenarios']} scenario{'' if t['scenarios'] == 1 else 's'}"
            f" in {t['seconds']:.1f} s{failed}")


def as_json(results, model):
    def facts(items):
        return [f.text for f in items]

    def pairs(items):
        return [{"fact": f.text, "bullet": b} for f, b in items]

    return json.dumps({
        "model": model,
        "scenarios": [{
            "name": r.name, "error": r.error,
            "found": pairs(r.found), "missed": facts(r.missed), "expected": r.hold,
            "forbidden": pairs(r.forbidden), "not_hold": r.not_hold,
            "stale_left": pairs(r.stale_left), "stale": r.stale, "stale_learned": r.stale_learned,
            "secrets_sent": len(r.leaks), "bullets": r.bullets, "calls": r.calls, "chars": r.chars,
            "seconds": round(r.seconds, 2), "notes": r.notes,
        } for r in results],
        "total": totals(results),
    }, indent=2, ensure_ascii=False)
