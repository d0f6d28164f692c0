"""Evaluation runs on disk: run the set, write the reports with their provenance, find and read runs."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.baselines import BASELINES, build_baselines
from assistant.evaluation.cases import Lookup, load_cases
from assistant.evaluation.gate import GateCheck, check_gate, load_thresholds
from assistant.evaluation.lookups import LookupReport, evaluate_lookups, office_search
from assistant.evaluation.scoring import PIPELINE, Report, evaluate
from assistant.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from assistant.service import Assistant

class RunError(ValueError):
    """A report folder that does not exist or is not a complete report."""


def count_steps(cases: Path, baselines: bool = False, also: list[Path] | None = None,
                lookups: Path | None = None) -> int:
    """How many answers a run computes (the ``progress`` total): every case, once per pipeline, the
    cases of the other sets once, and the look-ups once."""
    return len(load_cases(cases)) * (1 + (len(BASELINES) if baselines else 0)) + sum(
        len(load_cases(p)) for p in also or []) + (len(load_cases(lookups, Lookup)) if lookups else 0)


def _git_commit() -> str | None:
    """The commit the run's code is at, marked ``-dirty`` when tracked files differ from it (None outside git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, timeout=5)
        if head.returncode != 0 or not head.stdout.strip():
            return None
        clean = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "assistant", "corpus", "eval"],
                               cwd=PROJECT_ROOT, capture_output=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("" if clean.returncode == 0 else "-dirty")


def shown(path: Path) -> str:
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


FIRST_SIGHT_SUFFIX = "-first-sight"  # reports/<set>-first-sight/: a sealed set before any change it measures


def first_sight(name: str, *folders: Path) -> Report | None:
    """The first-sight figures of the case set ``name``, from the first folder that has them."""
    for folder in folders:
        path = folder / f"{name}{FIRST_SIGHT_SUFFIX}" / "metrics.json"
        if path.exists():
            seen = json.loads(path.read_text("utf-8"))["pipelines"][PIPELINE]
            return Report(seen["overall"], seen.get("by_category", {}), [], seen.get("by_voice", {}))
    return None


def write_report(folder: Path, meta: dict[str, Any], reports: dict[str, Report], checks: list[GateCheck],
                 thresholds: Path | None, sets: dict[str, Report] | None = None,
                 lookups: tuple[Path, LookupReport] | None = None) -> dict[str, Any]:
    """Write report.md, report.html, responses.jsonl and (last, so a half-written run is never 'latest') metrics.json."""
    from assistant import reports as render

    doc = {
        **meta,
        "pipelines": {name: r.to_json() for name, r in reports.items()},
        "gate": {"thresholds_file": shown(thresholds) if thresholds else None,
                 "passed": all(c.ok for c in checks), "checks": [c.to_json() for c in checks]},
    }
    if sets:
        # The other case files through the pipeline, beside the main one (dev and sealed side by side).
        doc["sets"] = {name: r.to_json() for name, r in sets.items()}
    if lookups:
        # The call-centre look-ups through the directory search: a category of their own.
        source, found = lookups
        doc["lookups"] = {"file": shown(source), "sha1": hashlib.sha1(source.read_bytes()).hexdigest()[:12],
                          **found.to_json()}
    rows = [r.to_row(name) for name, rep in reports.items() for r in rep.results]
    rows += [{**r.to_row(PIPELINE), "set": name} for name, rep in (sets or {}).items() for r in rep.results]
    rows += [r.to_row() for r in lookups[1].results] if lookups else []
    (folder / "responses.jsonl").write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    (folder / "report.md").write_text(render.render_markdown(doc, rows), "utf-8")
    (folder / "report.html").write_text(render.render_html(doc, rows), "utf-8")
    (folder / "metrics.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")
    return doc


def run_evaluation(assistant: Assistant, cases: Path, out_dir: Path, baselines: bool = False,
                   progress: Callable[[int], None] | None = None, thresholds: Path | None = None,
                   also: list[Path] | None = None, lookups: Path | None = None) -> Path:
    """Run the set through the chat (and the baselines), write every report, and return the report folder.

    ``progress(1)`` is called after each answered case or look-up; the total is ``count_steps(cases,
    baselines, also, lookups)``. ``thresholds`` defaults to ``<eval_dir>/thresholds.json``; the gate is
    recorded in the report. ``lookups`` (call-centre look-ups) are typed into the directory search.
    """
    t0 = time.perf_counter()
    case_list = load_cases(cases)
    lookup_list = load_cases(lookups, Lookup) if lookups else []  # a bad file fails before the run
    path = thresholds or assistant.settings.eval_dir / "thresholds.json"
    limits = load_thresholds(path) if thresholds or path.exists() else []  # a bad file fails before the run
    digits = {o.digits for o in assistant.directory.offices}
    if case_list:  # warm up (lazy model loading) so the first case's latency is not an outlier of set-up
        assistant.ask(case_list[0].turns[0], [])
    reports = {PIPELINE: evaluate(case_list, assistant.ask, digits, progress)}
    if baselines:
        for name, ask in build_baselines(assistant.settings).items():
            reports[name] = evaluate(case_list, ask, digits, progress)
    sets: dict[str, Report] = {}
    if also:
        sets[cases.stem] = reports[PIPELINE]
        for other in also:
            sets[other.stem] = evaluate(load_cases(other), assistant.ask, digits, progress)
            # A sealed set's own first sight (scored before any change it measures), beside it.
            seen = first_sight(other.stem, out_dir, assistant.settings.eval_dir / "reports")
            if seen is not None:
                sets[f"{other.stem}{FIRST_SIGHT_SUFFIX}"] = seen
    # Last, so the searches cannot touch what the answers above measured.
    found = evaluate_lookups(lookup_list, office_search(assistant), progress) if lookups else None
    checks = check_gate(reports[PIPELINE], limits, found)
    s = assistant.settings
    meta = {
        "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cases_file": shown(cases),
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
    write_report(folder, meta, reports, checks, path if limits else None, sets,
                 (lookups, found) if lookups and found else None)
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
