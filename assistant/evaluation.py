"""Run the Q&A regression set through the chat's own code path, score it, report it, gate on it, diff runs."""

from __future__ import annotations

import hashlib
import json
import statistics
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answers import Answer
from assistant.baselines import BASELINES, build_baselines
from assistant.chat import Turn
from assistant.normalize import nfkc, phone_digits
from assistant.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from assistant.service import Assistant

Ask = Callable[[str, list[Turn]], Answer]


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    turns: tuple[str, ...]
    sections: tuple[str, ...]
    phones: tuple[str, ...]
    facts: tuple[str, ...]
    abstain: bool

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Case:
        e = d["expect"]
        return cls(d["id"], d["category"], tuple(d["turns"]), tuple(e.get("sections", [])),
                   tuple(e.get("phones", [])), tuple(e.get("facts", [])), bool(e.get("abstain", False)))


class CaseError(ValueError):
    """A line of a cases file that is not a valid case; the message names the file and line."""


def load_cases(path: Path) -> list[Case]:
    """Cases of a JSONL file, one JSON object a line."""
    cases = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            case = Case.from_json(d)
        except json.JSONDecodeError as e:
            raise CaseError(f"{path}:{n}: not valid JSON ({e.msg})") from e
        except (KeyError, TypeError, AttributeError) as e:
            raise CaseError(f'{path}:{n}: expected {{"id", "category", "turns": [...], "expect": {{...}}}} ({e!r})') from e
        if not case.turns or not all(isinstance(t, str) and t.strip() for t in case.turns):
            raise CaseError(f"{path}:{n}: case {case.id} needs at least one non-empty turn")
        cases.append(case)
    return cases


def _squash(text: str) -> str:
    return "".join(nfkc(text).split())


@dataclass
class Result:
    case: Case
    answer: dict[str, Any]
    seconds: float
    routed: bool  # contacts[0] is an expected number
    rank: int | None  # 1-based rank of the first expected initiative, None when absent
    facts_found: int
    abstained: bool
    outside_numbers: int  # numbers in the answer that are not directory numbers

    @property
    def top_initiative(self) -> str:
        return (self.answer.get("initiatives") or [""])[0]

    @property
    def first_phone(self) -> str:
        contacts = self.answer.get("contacts") or []
        return contacts[0]["phone"] if contacts else ""

    @property
    def missing_facts(self) -> list[str]:
        text = _squash(self.answer.get("answer", ""))
        return [f for f in self.case.facts if _squash(f) not in text]

    def problems(self) -> list[str]:
        """What a reader would notice is wrong with this answer, one phrase per check that failed."""
        c = self.case
        if c.abstain:
            return [] if self.abstained else [f"answered instead of abstaining (top: {self.top_initiative or '-'})"]
        if self.abstained:  # no contact and no initiative follow from it; only the facts are worth naming
            out = ["abstained on a question the document covers"]
            if self.missing_facts:
                out.append("missing facts: " + ", ".join(self.missing_facts))
            return out
        out = []
        if c.phones and not self.routed:
            out.append(f"contact {self.first_phone or 'none'}, expected {' or '.join(c.phones)}")
        if c.sections and self.rank != 1:
            where = f" (ranked {self.rank})" if self.rank else " (not named)"
            expected = " or ".join(f"“{x}”" for x in c.sections)
            out.append(f"top initiative {self.top_initiative or 'none'}, expected {expected}{where}")
        if self.missing_facts:
            out.append("missing facts: " + ", ".join(self.missing_facts))
        if self.outside_numbers:
            out.append(f"{self.outside_numbers} phone number(s) not in the directory")
        return out

    def to_row(self, pipeline: str) -> dict[str, Any]:
        """This result as one line of ``responses.jsonl``: the case, the full answer and every check."""
        c = self.case
        return {
            "pipeline": pipeline, "id": c.id, "category": c.category, "turns": list(c.turns),
            "expect": {"sections": list(c.sections), "phones": list(c.phones), "facts": list(c.facts),
                       "abstain": c.abstain},
            "passed": self.passed, "routed": self.routed, "rank": self.rank, "facts_found": self.facts_found,
            "abstained": self.abstained, "outside_numbers": self.outside_numbers,
            "ms": round(self.seconds * 1000, 2), "problems": self.problems(), "answer": self.answer,
        }

    @property
    def passed(self) -> bool:
        c = self.case
        if c.abstain:
            return self.abstained
        ok = not self.abstained
        if c.phones:
            ok = ok and self.routed
        if c.sections:
            ok = ok and self.rank == 1
        return ok and self.facts_found == len(c.facts) and self.outside_numbers == 0


def score_case(case: Case, answer: Answer, seconds: float, directory_digits: set[str]) -> Result:
    from assistant.normalize import find_phones

    expected = {phone_digits(p) for p in case.phones}
    routed = bool(answer.contacts) and phone_digits(answer.contacts[0].phone) in expected
    rank = None
    for i, title in enumerate(answer.initiatives, 1):
        if any(nfkc(s) in nfkc(title) for s in case.sections):
            rank = i
            break
    text = _squash(answer.answer)
    facts = sum(1 for f in case.facts if _squash(f) in text)
    outside = sum(1 for p in find_phones(answer.answer) if p not in directory_digits)
    return Result(case, answer.to_dict(), seconds, routed, rank, facts, answer.abstained, outside)


def run_cases(cases: Iterable[Case], ask: Ask, directory_digits: set[str],
              progress: Callable[[int], None] | None = None) -> list[Result]:
    """Ask every case (earlier turns first, as history) and score the last answer."""
    results = []
    for case in cases:
        history: list[Turn] = []
        t0 = time.perf_counter()
        answer = None
        for turn in case.turns:
            answer = ask(turn, list(history))
            history += [Turn("user", turn), Turn("assistant", answer.answer)]
        seconds = (time.perf_counter() - t0) / max(1, len(case.turns))
        assert answer is not None
        results.append(score_case(case, answer, seconds, directory_digits))
        if progress:
            progress(1)
    return results


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def metrics(results: list[Result]) -> dict[str, Any]:
    """Routing accuracy, initiative hit@k and MRR, fact recall, abstention and latency."""
    in_scope = [r for r in results if not r.case.abstain]
    with_phone = [r for r in in_scope if r.case.phones]
    with_section = [r for r in in_scope if r.case.sections]
    with_facts = [r for r in in_scope if r.case.facts]
    oos = [r for r in results if r.case.abstain]
    abstained = [r for r in results if r.abstained]
    lat = sorted(r.seconds * 1000 for r in results)
    return {
        "cases": len(results),
        "passed": sum(r.passed for r in results),
        "pass_rate": _ratio(sum(r.passed for r in results), len(results)),
        "routing_accuracy": _ratio(sum(r.routed for r in with_phone), len(with_phone)),
        "hit@1": _ratio(sum(r.rank == 1 for r in with_section), len(with_section)),
        "hit@3": _ratio(sum(r.rank is not None and r.rank <= 3 for r in with_section), len(with_section)),
        "mrr": round(statistics.fmean(1 / r.rank if r.rank else 0.0 for r in with_section), 4) if with_section else None,
        "fact_recall": _ratio(sum(r.facts_found for r in with_facts), sum(len(r.case.facts) for r in with_facts)),
        "abstention_precision": _ratio(sum(r.case.abstain for r in abstained), len(abstained)),
        "abstention_recall": _ratio(sum(r.abstained for r in oos), len(oos)),
        "false_abstention_rate": _ratio(sum(r.abstained for r in in_scope), len(in_scope)),
        "outside_numbers": sum(r.outside_numbers for r in results),
        "latency_p50_ms": round(lat[len(lat) // 2], 2) if lat else None,
        "latency_p95_ms": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 2) if lat else None,
    }


@dataclass
class Report:
    overall: dict[str, Any]
    by_category: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)


def evaluate(cases: list[Case], ask: Ask, directory_digits: set[str],
             progress: Callable[[int], None] | None = None) -> Report:
    results = run_cases(cases, ask, directory_digits, progress)
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        groups[r.case.category].append(r)
    return Report(metrics(results), {k: metrics(v) for k, v in sorted(groups.items())}, results)


# The names ``metrics()`` reports, in its order; thresholds may only name these.
METRICS: tuple[str, ...] = tuple(metrics([]))
PIPELINE = "pipeline"


# ---------------------------------------------------------------------------------------------- the gate


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
    "routing_accuracy": lambda r: not r.case.abstain and bool(r.case.phones) and not r.routed,
    "hit@1": lambda r: not r.case.abstain and bool(r.case.sections) and r.rank != 1,
    "hit@3": lambda r: not r.case.abstain and bool(r.case.sections) and (r.rank is None or r.rank > 3),
    "mrr": lambda r: not r.case.abstain and bool(r.case.sections) and r.rank != 1,
    "fact_recall": lambda r: not r.case.abstain and r.facts_found < len(r.case.facts),
    "abstention_precision": lambda r: r.abstained and not r.case.abstain,
    "abstention_recall": lambda r: r.case.abstain and not r.abstained,
    "false_abstention_rate": lambda r: not r.case.abstain and r.abstained,
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
            if metric not in METRICS:
                raise ThresholdError(f"{path}: unknown metric {metric!r} in {scope}; known: {', '.join(METRICS)}")
            if not isinstance(spec, dict) or not spec or not set(spec) <= {"min", "max"}:
                raise ThresholdError(f'{path}: {scope}.{metric} must be {{"min": x}} or {{"max": x}}, not {spec!r}')
            for bound, limit in spec.items():
                if isinstance(limit, bool) or not isinstance(limit, int | float):
                    raise ThresholdError(f"{path}: {scope}.{metric}.{bound} must be a number, not {limit!r}")
                out.append(Threshold(scope, metric, bound, float(limit)))
    return out


def check_gate(report: Report, thresholds: list[Threshold]) -> list[GateCheck]:
    """Every threshold checked against the report (a category absent from the run is skipped, not failed)."""
    checks = []
    for t in thresholds:
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


# ----------------------------------------------------------------------------------- runs and their reports


class RunError(ValueError):
    """A report folder that does not exist or is not a complete report."""


def count_steps(cases: Path, baselines: bool = False) -> int:
    """How many answers a run computes (the ``progress`` total): every case, once per pipeline."""
    return len(load_cases(cases)) * (1 + (len(BASELINES) if baselines else 0))


def _git_commit() -> str | None:
    """The commit the run's code is at, marked ``-dirty`` when tracked files differ from it (None outside git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, timeout=5)
        if head.returncode != 0 or not head.stdout.strip():
            return None
        clean = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "assistant", "corpus", "eval/qa.jsonl"],
                               cwd=PROJECT_ROOT, capture_output=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("" if clean.returncode == 0 else "-dirty")


def _shown(path: Path) -> str:
    """A path relative to the project when it is inside it, so committed reports carry no home folders."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def new_report_folder(reports_dir: Path) -> Path:
    """A fresh ``<reports_dir>/<YYYYmmdd-HHMMSS>`` folder (suffixed when two runs start in one second)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    reports_dir.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        folder = reports_dir / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise RunError(f"cannot create a report folder in {reports_dir}")


def write_report(folder: Path, meta: dict[str, Any], reports: dict[str, Report], checks: list[GateCheck],
                 thresholds: Path | None) -> dict[str, Any]:
    """Write report.md, report.html, responses.jsonl and (last, so a half-written run is never 'latest') metrics.json."""
    from assistant import reports as render

    doc = {
        **meta,
        "pipelines": {name: {"overall": r.overall, "by_category": r.by_category} for name, r in reports.items()},
        "gate": {"thresholds_file": _shown(thresholds) if thresholds else None,
                 "passed": all(c.ok for c in checks), "checks": [c.to_json() for c in checks]},
    }
    rows = [r.to_row(name) for name, rep in reports.items() for r in rep.results]
    (folder / "responses.jsonl").write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    (folder / "report.md").write_text(render.render_markdown(doc, rows), "utf-8")
    (folder / "report.html").write_text(render.render_html(doc, rows), "utf-8")
    (folder / "metrics.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")
    return doc


def run_evaluation(assistant: Assistant, cases: Path, out_dir: Path, baselines: bool = False,
                   progress: Callable[[int], None] | None = None, thresholds: Path | None = None) -> Path:
    """Run the set through the chat (and the baselines), write every report, and return the report folder.

    ``progress(1)`` is called after each answered case; the total is ``count_steps(cases, baselines)``.
    ``thresholds`` defaults to ``<eval_dir>/thresholds.json``; the gate is recorded in the report.
    """
    t0 = time.perf_counter()
    case_list = load_cases(cases)
    path = thresholds or assistant.settings.eval_dir / "thresholds.json"
    limits = load_thresholds(path) if thresholds or path.exists() else []  # a bad file fails before the run
    digits = {o.digits for o in assistant.directory.offices}
    if case_list:  # warm up (lazy model loading) so the first case's latency is not an outlier of set-up
        assistant.ask(case_list[0].turns[0], [])
    reports = {PIPELINE: evaluate(case_list, assistant.ask, digits, progress)}
    if baselines:
        for name, ask in build_baselines(assistant.settings).items():
            reports[name] = evaluate(case_list, ask, digits, progress)
    checks = check_gate(reports[PIPELINE], limits)
    s = assistant.settings
    meta = {
        "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cases_file": _shown(cases),
        "cases": len(case_list),
        "cases_sha1": hashlib.sha1(cases.read_bytes()).hexdigest()[:12],
        "git_commit": _git_commit(),
        "index_version": assistant.index.manifest.get("version"),
        "embed_model": assistant.index.manifest.get("embed_model"),
        "settings": {"top_k": s.top_k, "chunk_tokens": s.chunk_tokens, "abstain_below": s.abstain_below,
                     "max_initiatives": s.max_initiatives, "baseline_chunk_size": s.baseline_chunk_size,
                     "baseline_chunk_overlap": s.baseline_chunk_overlap},
        "seconds": round(time.perf_counter() - t0, 1),
    }
    folder = new_report_folder(out_dir)
    write_report(folder, meta, reports, checks, path if limits else None)
    return folder


def latest_report(reports_dir: Path) -> Path | None:
    """The most recent complete report folder under ``reports_dir`` (None when there is none)."""
    if not reports_dir.is_dir():
        return None
    runs = [p for p in reports_dir.iterdir() if (p / "metrics.json").is_file()]

    def created(p: Path) -> tuple[float, str]:
        try:
            return datetime.fromisoformat(json.loads((p / "metrics.json").read_text("utf-8"))["created_at"]).timestamp(), p.name
        except (OSError, ValueError, KeyError, TypeError):
            return p.stat().st_mtime, p.name

    return max(runs, key=created, default=None)


def resolve_run(name: str, reports_dir: Path) -> Path:
    """A report folder given as a path, as a folder name under ``reports_dir``, or as ``latest``."""
    if name == "latest":
        found = latest_report(reports_dir)
        if found is None:
            raise RunError(f"no report in {reports_dir} yet; run `kinki-assistant eval` first")
        return found
    for candidate in (Path(name), reports_dir / name):
        if (candidate / "metrics.json").is_file() and (candidate / "responses.jsonl").is_file():
            return candidate
    raise RunError(f"{name}: not a report folder (expected metrics.json and responses.jsonl in it, "
                   f"as a path or a folder of {reports_dir})")


def load_run(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The metrics document and the response rows of a report folder."""
    try:
        doc = json.loads((folder / "metrics.json").read_text("utf-8"))
        rows = [json.loads(line) for line in (folder / "responses.jsonl").read_text("utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as e:
        raise RunError(f"{folder}: not a readable report ({e})") from e
    return doc, rows


# ---------------------------------------------------------------------------------------------- the diff


@dataclass(frozen=True)
class Flip:
    """A case whose outcome differs between two runs, and what changed in its answer."""

    id: str
    category: str
    question: str
    before: bool
    after: bool
    changes: tuple[str, ...]
    problems: tuple[str, ...]  # what is wrong in the later run ('' when it passes)


def _top(row: dict[str, Any]) -> str:
    return (row["answer"].get("initiatives") or ["none"])[0]


def _phone(row: dict[str, Any]) -> str:
    contacts = row["answer"].get("contacts") or []
    return contacts[0]["phone"] if contacts else "none"


def answer_changes(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """How the answer to one case moved between two runs, one phrase per aspect that changed."""
    out = []
    yes_no = {True: "yes", False: "no"}
    if a["abstained"] != b["abstained"]:
        out.append(f"abstained {yes_no[a['abstained']]} → {yes_no[b['abstained']]}")
    if _top(a) != _top(b):
        out.append(f"top initiative {_top(a)} → {_top(b)}")
    if _phone(a) != _phone(b):
        out.append(f"contact {_phone(a)} → {_phone(b)}")
    if a["rank"] != b["rank"]:
        out.append(f"expected initiative at rank {a['rank'] or 'none'} → {b['rank'] or 'none'}")
    n = len(b["expect"]["facts"])
    if a["facts_found"] != b["facts_found"]:
        out.append(f"facts {a['facts_found']}/{n} → {b['facts_found']}/{n}")
    if a["outside_numbers"] != b["outside_numbers"]:
        out.append(f"numbers outside the directory {a['outside_numbers']} → {b['outside_numbers']}")
    return out


@dataclass
class Comparison:
    """Two runs side by side: metric deltas and the cases that flipped."""

    run_a: Path
    run_b: Path
    metrics: list[tuple[str, str, Any, Any]]  # (scope, metric, value in A, value in B)
    fixed: list[Flip]
    broken: list[Flip]
    changed: list[Flip]  # same outcome, different answer
    only_a: list[str]
    only_b: list[str]
    same_cases: bool

    def to_markdown(self) -> str:
        from assistant.reports import fmt, label

        lines = [f"# Evaluation diff: `{_shown(self.run_a)}` → `{_shown(self.run_b)}`", ""]
        if not self.same_cases:
            lines += ["> The two runs used different case files; only cases present in both are compared.", ""]
        lines += ["| scope | metric | A | B | change |", "|---|---|---|---|---|"]
        for scope, metric, va, vb in self.metrics:
            numbers = isinstance(va, int | float) and isinstance(vb, int | float)
            delta = "" if va == vb else f"{vb - va:+.4g} ◀" if numbers else "◀"
            lines.append(f"| {scope} | {label(metric)} | {fmt(metric, va)} | {fmt(metric, vb)} | {delta} |")
        for title, flips in (("Broken (pass → fail)", self.broken), ("Fixed (fail → pass)", self.fixed),
                             ("Changed answer, same outcome", self.changed)):
            lines += ["", f"## {title}: {len(flips)}", ""]
            if not flips:
                lines.append("(none)")
            for f in flips:
                how = "; ".join(f.changes) or "no visible change in the scored fields"
                still = f" — now: {'; '.join(f.problems)}" if f.problems and f.after is False else ""
                lines.append(f"- `{f.id}` ({f.category}) {f.question}: {how}{still}")
        if self.only_a or self.only_b:
            lines += ["", f"Only in A: {', '.join(self.only_a) or '-'}", f"Only in B: {', '.join(self.only_b) or '-'}"]
        return "\n".join(lines) + "\n"


def compare_runs(run_a: Path, run_b: Path, pipeline: str = PIPELINE) -> Comparison:
    """The cases that flipped between two report folders (A earlier, B later), and how."""
    doc_a, rows_a = load_run(run_a)
    doc_b, rows_b = load_run(run_b)
    for doc, folder in ((doc_a, run_a), (doc_b, run_b)):
        if pipeline not in doc.get("pipelines", {}):
            raise RunError(f"{folder}: no results for pipeline {pipeline!r}")
    a = {r["id"]: r for r in rows_a if r["pipeline"] == pipeline}
    b = {r["id"]: r for r in rows_b if r["pipeline"] == pipeline}
    pa, pb = doc_a["pipelines"][pipeline], doc_b["pipelines"][pipeline]
    table = [("overall", m, pa["overall"].get(m), pb["overall"].get(m)) for m in METRICS]
    for cat in sorted(set(pa["by_category"]) | set(pb["by_category"])):
        ca, cb = pa["by_category"].get(cat, {}), pb["by_category"].get(cat, {})
        table.append((cat, "pass_rate", ca.get("pass_rate"), cb.get("pass_rate")))
    fixed, broken, changed = [], [], []
    for cid in [i for i in a if i in b]:
        ra, rb = a[cid], b[cid]
        changes = answer_changes(ra, rb)
        if ra["passed"] == rb["passed"] and not changes:
            continue
        flip = Flip(cid, rb["category"], " → ".join(rb["turns"]), ra["passed"], rb["passed"], tuple(changes),
                    tuple(rb.get("problems", [])))
        (changed if ra["passed"] == rb["passed"] else fixed if rb["passed"] else broken).append(flip)
    return Comparison(run_a, run_b, table, fixed, broken, changed, [i for i in a if i not in b],
                      [i for i in b if i not in a], doc_a.get("cases_sha1") == doc_b.get("cases_sha1"))
