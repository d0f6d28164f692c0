"""The quality gate: thresholds per metric, checked against a run, naming the cases that pulled a metric down."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.evaluation.lookups import LOOKUP_METRICS, LookupReport
from assistant.evaluation.scoring import METRICS, Report, Result


class ThresholdError(ValueError):
    """A thresholds file that cannot be read or names a metric that does not exist."""


@dataclass(frozen=True)
class Threshold:
    """One line of ``eval/thresholds.json``: a metric, where it is measured, and its limit."""

    scope: str  # "overall" or a category
    metric: str
    bound: str  # "min" or "max"
    limit: float

    def __str__(self) -> str:
        return f"{self.metric} ({self.scope}) {'>=' if self.bound == 'min' else '<='} {self.limit:g}"


# For each metric, the cases that pull it the wrong way: those are the ones a failing gate names.
_PULLS_DOWN: dict[str, Callable[[Result], bool]] = {
    "passed": lambda r: not r.passed,
    "pass_rate": lambda r: not r.passed,
    "routing_accuracy": lambda r: not r.expect.abstain and bool(r.expect.phones) and not r.routed,
    "hit@1": lambda r: not r.expect.abstain and bool(r.expect.sections) and r.rank != 1,
    "hit@3": lambda r: not r.expect.abstain and bool(r.expect.sections) and (r.rank is None or r.rank > 3),
    "mrr": lambda r: not r.expect.abstain and bool(r.expect.sections) and r.rank != 1,
    "fact_recall": lambda r: not r.expect.abstain and r.facts_found < len(r.expect.facts),
    "abstention_precision": lambda r: r.abstained and not r.expect.abstain,
    "abstention_recall": lambda r: r.expect.abstain and not r.abstained,
    "false_abstention_rate": lambda r: not r.expect.abstain and r.abstained,
    "office_top3": lambda r: not r.expect.abstain and bool(r.expect.phones) and not r.office_in_top3,
    "clarify_rate": lambda r: not r.expect.abstain and r.clarified,
    "turn_pass_rate": lambda r: any(not t.passed for t in r.turns),
    "outside_numbers": lambda r: r.outside_numbers > 0,
}


def failing_cases(results: list[Result], metric: str, limit: float | None = None) -> list[str]:
    """Ids of the cases that pull ``metric`` the wrong way (for latency: those slower than ``limit`` ms)."""
    if metric.startswith("latency"):
        slow = sorted((r for r in results if limit is not None and r.seconds * 1000 > limit), key=lambda r: -r.seconds)
        return [r.case.id for r in slow]
    pulls = _PULLS_DOWN.get(metric)
    return [r.case.id for r in results if pulls is not None and pulls(r)]


@dataclass(frozen=True)
class GateCheck:
    """A threshold, the value the run reached, and the cases that pull the metric the wrong way."""

    threshold: Threshold
    value: float | None
    cases: tuple[str, ...]

    @property
    def ok(self) -> bool:
        if self.value is None:  # no case of this run measures the metric
            return True
        t = self.threshold
        return self.value >= t.limit if t.bound == "min" else self.value <= t.limit

    def message(self, most: int = 20) -> str:
        t = self.threshold
        side = "below the minimum" if t.bound == "min" else "above the maximum"
        ids = ", ".join(self.cases[:most]) or "none"
        if len(self.cases) > most:
            ids += f" … and {len(self.cases) - most} more"
        return f"{t.metric} ({t.scope}) = {self.value:g} is {side} {t.limit:g}; failing cases: {ids}"

    def to_json(self) -> dict[str, Any]:
        t = self.threshold
        return {"scope": t.scope, "metric": t.metric, "bound": t.bound, "limit": t.limit, "value": self.value,
                "ok": self.ok, "cases": list(self.cases)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> GateCheck:
        return cls(Threshold(d["scope"], d["metric"], d["bound"], d["limit"]), d["value"], tuple(d["cases"]))


def load_thresholds(path: Path) -> list[Threshold]:
    """Thresholds of a file shaped ``{"overall": {metric: {"min"|"max": x}}, "categories": {cat: {...}}}``."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as e:
        raise ThresholdError(f"cannot read thresholds file {path}: {e.strerror}") from e
    except json.JSONDecodeError as e:
        raise ThresholdError(f"{path}: not valid JSON ({e.msg}, line {e.lineno})") from e
    if not isinstance(data, dict):
        raise ThresholdError(f'{path}: expected {{"overall": {{...}}, "categories": {{...}}}}')
    categories = data.get("categories", {})
    if not isinstance(categories, dict):
        raise ThresholdError(f"{path}: categories must map a category to its metrics")
    out = []
    for scope, table in [("overall", data.get("overall", {})), *categories.items()]:
        if not isinstance(table, dict):
            raise ThresholdError(f"{path}: {scope} must map metric names to {{\"min\": x}} or {{\"max\": x}}")
        for metric, spec in table.items():
            if metric.startswith("_"):  # "_note" keys explain a choice; they are not thresholds
                continue
            if metric in LOOKUP_METRICS and scope != "overall":
                raise ThresholdError(f"{path}: {metric} is measured on the look-ups as a whole; put it in overall")
            if metric not in METRICS and metric not in LOOKUP_METRICS:
                known = ", ".join((*METRICS, *LOOKUP_METRICS))
                raise ThresholdError(f"{path}: unknown metric {metric!r} in {scope}; known: {known}")
            if not isinstance(spec, dict) or not spec or not set(spec) <= {"min", "max"}:
                raise ThresholdError(f'{path}: {scope}.{metric} must be {{"min": x}} or {{"max": x}}, not {spec!r}')
            for bound, limit in spec.items():
                if isinstance(limit, bool) or not isinstance(limit, int | float):
                    raise ThresholdError(f"{path}: {scope}.{metric}.{bound} must be a number, not {limit!r}")
                out.append(Threshold(scope, metric, bound, float(limit)))
    return out


def check_gate(report: Report, thresholds: list[Threshold], lookups: LookupReport | None = None) -> list[GateCheck]:
    """Every threshold checked against the report and the call-centre look-ups (a category or look-ups
    absent from the run are skipped, not failed)."""
    checks = []
    for t in thresholds:
        if t.metric in LOOKUP_METRICS:
            value = lookups.value(t.metric) if lookups else None
            checks.append(GateCheck(t, value, tuple(lookups.missed) if lookups else ()))
            continue
        if t.scope == "overall":
            values, results = report.overall, report.results
        else:
            values = report.by_category.get(t.scope, {})
            results = [r for r in report.results if r.case.category == t.scope]
        value = values.get(t.metric)
        checks.append(GateCheck(t, value, tuple(failing_cases(results, t.metric, t.limit))))
    return checks


def gate_message(checks: list[GateCheck], source: str = "") -> str:
    """What the gate says: when it fails, each metric past its threshold and the cases that pulled it there."""
    failed = [c for c in checks if not c.ok]
    where = f" ({source})" if source else ""
    if not failed:
        return f"Quality gate passed: {len(checks)} thresholds met{where}."
    lines = [f"Quality gate FAILED: {len(failed)} of {len(checks)} thresholds not met{where}:"]
    lines += [f"  - {c.message()}" for c in failed]
    return "\n".join(lines)
