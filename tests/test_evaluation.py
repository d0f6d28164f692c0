"""The evaluation runner: reports on disk, self-contained HTML, the diff of two runs, and the `eval` command."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.baselines import BASELINES
from assistant.cli import main
from assistant.evaluation import (
    CaseError,
    Lookup,
    ThresholdError,
    compare_runs,
    count_steps,
    latest_report,
    load_cases,
    load_run,
    load_thresholds,
    run_evaluation,
)
from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from tests.conftest import PROJECT_ROOT, make_settings

QA = PROJECT_ROOT / "eval" / "dev.jsonl"
LOOKUPS = PROJECT_ROOT / "eval" / "lookups.jsonl"
# A look-up that no search can pass: 国際部 finds the international department's offices, not 総務課.
MISS = {"id": "look-miss", "kind": "department", "query": "国際部", "expect": {"first": ["総務課"], "includes": []}}


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first two cases of every category of the real set."""
    seen: dict[str, int] = {}
    lines = []
    for line in QA.read_text("utf-8").splitlines():
        cat = json.loads(line)["category"]
        if seen.get(cat, 0) < 2:
            seen[cat] = seen.get(cat, 0) + 1
            lines.append(line)
    path = tmp_path_factory.mktemp("cases") / "small.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@pytest.fixture(scope="module")
def small_lookups(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first look-up of every kind of the real set, and one that misses."""
    seen: set[str] = set()
    lines = []
    for line in LOOKUPS.read_text("utf-8").splitlines():
        kind = json.loads(line)["kind"]
        if kind not in seen:
            seen.add(kind)
            lines.append(line)
    path = tmp_path_factory.mktemp("lookups") / "lookups.jsonl"
    path.write_text("\n".join([*lines, json.dumps(MISS, ensure_ascii=False)]) + "\n", "utf-8")
    return path


@pytest.fixture(scope="module")
def reports_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="module")
def run_a(assistant: Assistant, small_set: Path, small_lookups: Path, reports_dir: Path) -> tuple[Path, int]:
    """A run with baselines and look-ups, and how many times it reported progress."""
    ticks = []
    folder = run_evaluation(assistant, small_set, reports_dir, baselines=True, progress=ticks.append,
                            lookups=small_lookups)
    return folder, sum(ticks)


@pytest.fixture(scope="module")
def run_b(settings: Settings, small_set: Path, reports_dir: Path, run_a: tuple[Path, int],
          tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A later run of an assistant set to turn away nearly everything: a real change that breaks cases."""
    strict = make_settings(tmp_path_factory.mktemp("strict"), index_dir=settings.index_dir, abstain_below=10.0)
    return run_evaluation(build_assistant(strict), small_set, reports_dir)


def test_a_run_writes_markdown_html_metrics_and_every_response(run_a: tuple[Path, int], small_set: Path,
                                                               small_lookups: Path) -> None:
    folder, ticks = run_a
    n = len(load_cases(small_set))
    assert {p.name for p in folder.iterdir()} == {"report.md", "report.html", "metrics.json", "responses.jsonl"}
    assert re.fullmatch(r"\d{8}-\d{6}(-\d+)?", folder.name)
    doc, rows = load_run(folder)
    assert list(doc["pipelines"]) == ["pipeline", *BASELINES]
    looked_up = [r for r in rows if r.get("set") == "lookups"]
    assert len(looked_up) == 8 and len(rows) == 3 * n + 8
    assert ticks == 3 * n + 8 == count_steps(small_set, baselines=True, lookups=small_lookups)
    for name, p in doc["pipelines"].items():
        assert p["overall"]["cases"] == n, name
        assert set(p["by_category"]) == {c.category for c in load_cases(small_set)}
    row = next(r for r in rows if r["pipeline"] == "pipeline" and r["id"] == "topic-001")
    assert row["answer"]["contacts"][0]["phone"] == "06-6966-6055" and row["passed"] is True
    assert all(r["problems"] for r in rows if not r["passed"])
    assert doc["gate"]["thresholds_file"] == "eval/thresholds.json" and doc["gate"]["checks"]


def test_the_html_report_has_charts_and_loads_nothing(run_a: tuple[Path, int]) -> None:
    folder, _ = run_a
    page = (folder / "report.html").read_text("utf-8")
    assert page.count("<svg") >= 6  # overall, four per-category charts, latency histogram
    assert "latency" in page.lower() and "routing accuracy@1 by category" in page
    for forbidden in ("<script", "<link", "<img", "src=", "url(", "@import", "<iframe"):
        assert forbidden not in page, forbidden
    _, rows = load_run(folder)
    for r in rows:
        if r["pipeline"] == "pipeline" and not r["passed"]:
            assert r["id"] in page


def test_the_lookups_are_a_category_of_their_own(run_a: tuple[Path, int]) -> None:
    folder, _ = run_a
    doc, rows = load_run(folder)
    looked_up = [r for r in rows if r.get("set") == "lookups"]
    passed = sum(r["passed"] for r in looked_up)
    assert doc["lookups"]["file"].endswith("lookups.jsonl")
    assert doc["lookups"]["overall"] == {"cases": 8, "passed": passed, "pass_rate": round(passed / 8, 4)}
    assert list(doc["lookups"]["by_kind"])[:2] == ["department", "place"]  # in the file's order
    assert doc["lookups"]["by_kind"]["department"]["cases"] == 2
    miss = next(r for r in looked_up if r["id"] == "look-miss")
    assert miss["passed"] is False and miss["found"][0] != "総務課" and miss["problems"][0].startswith("first ")
    md = (folder / "report.md").read_text("utf-8")
    assert f"## Call-centre look-ups (`pipeline`): {passed} of 8 passed" in md
    assert f"| all | 8 | {passed} | {passed / 8:.3f} |" in md
    assert f"| `look-miss` | department | 国際部 | 総務課 | {miss['found'][0]} |" in md
    assert all(f"| `{r['id']}` |" in md for r in looked_up if not r["passed"])
    page = (folder / "report.html").read_text("utf-8")
    assert "Call-centre look-ups passed, by kind" in page and "<code>look-miss</code>" in page


def test_the_markdown_report_puts_pipelines_side_by_side(run_a: tuple[Path, int]) -> None:
    folder, _ = run_a
    md = (folder / "report.md").read_text("utf-8")
    doc, _ = load_run(folder)
    assert "## Quality gate:" in md and "(report.html)" in md
    row = next(line for line in md.splitlines() if line.startswith("| routing accuracy@1 |"))
    values = [doc["pipelines"][n]["overall"]["routing_accuracy"] for n in ("pipeline", *BASELINES)]
    assert row == "| routing accuracy@1 | " + " | ".join(f"{v:.3f}" for v in values) + " |"
    for cat in doc["pipelines"]["pipeline"]["by_category"]:
        assert f"| {cat} |" in md


def test_latest_report_is_the_newest_complete_run(run_a: tuple[Path, int], run_b: Path, reports_dir: Path) -> None:
    (reports_dir / "99999999-999999").mkdir()  # a run still being written: no metrics.json yet
    assert latest_report(reports_dir) == run_b
    assert latest_report(reports_dir / "nothing-here") is None


def test_compare_lists_the_cases_that_flipped_and_how(run_a: tuple[Path, int], run_b: Path) -> None:
    folder_a, _ = run_a
    _, rows_a = load_run(folder_a)
    _, rows_b = load_run(run_b)
    before = {r["id"]: r["passed"] for r in rows_a if r["pipeline"] == "pipeline" and "set" not in r}
    after = {r["id"]: r["passed"] for r in rows_b}
    broken = {i for i in before if before[i] and not after[i]}
    assert broken, "turning away nearly everything must break some case"

    diff = compare_runs(folder_a, run_b)
    assert {f.id for f in diff.broken} == broken
    assert {f.id for f in diff.fixed} == {i for i in before if not before[i] and after[i]}
    topic = next(f for f in diff.broken if f.id == "topic-001")
    assert "abstained no → yes" in topic.changes and "contact 06-6966-6055 → none" in topic.changes
    md = diff.to_markdown()
    assert "## Broken (pass → fail)" in md and "`topic-001`" in md
    assert re.search(r"\| overall \| pass rate \| [\d.]+ \| [\d.]+ \| -", md)
    assert re.search(r"\| look-ups \| pass rate \| [\d.]+ \| – \| ◀ \|", md)  # run B scored no look-ups


def test_eval_help_has_examples(runner: CliRunner) -> None:
    out = runner.invoke(main, ["eval", "--help"])
    assert out.exit_code == 0
    assert "kinki-assistant eval --baselines" in out.output and "--compare" in out.output
    assert "--lookups" in out.output and "eval/lookups.jsonl" in out.output


def test_eval_command_writes_a_report_and_passes_a_met_gate(runner: CliRunner, small_set: Path, tmp_path: Path) -> None:
    limits = tmp_path / "easy.json"
    limits.write_text(json.dumps({"overall": {"outside_numbers": {"max": 0}, "hit@3": {"min": 0.1}}}), "utf-8")
    out = runner.invoke(main, ["eval", "--cases", str(small_set), "--out", str(tmp_path / "r"),
                               "--thresholds", str(limits)])
    assert out.exit_code == 0, out.output
    assert "routing accuracy@1" in out.output and "Quality gate passed: 2 thresholds met" in out.output
    report = latest_report(tmp_path / "r")
    assert report is not None and str(report / "report.md") in out.output


def test_eval_command_fails_naming_the_metric_and_the_cases(runner: CliRunner, small_set: Path, small_lookups: Path,
                                                           tmp_path: Path) -> None:
    limits = tmp_path / "hard.json"
    # No real answer takes under a microsecond: every case is slower than this limit, so every case is named.
    limits.write_text(json.dumps({"overall": {"latency_p50_ms": {"max": 0.001}, "lookups_pass_rate": {"min": 0.9}},
                                  "categories": {"contact_topic": {"hit@1": {"min": 1.01}}}}), "utf-8")
    args = ["eval", "--cases", str(small_set), "--out", str(tmp_path / "r"), "--thresholds", str(limits),
            "--lookups", str(small_lookups)]
    out = runner.invoke(main, args)
    assert out.exit_code == 1, out.output
    assert "Quality gate FAILED: 3 of 3 thresholds not met" in out.output
    assert "latency_p50_ms (overall)" in out.output and "hit@1 (contact_topic) = " in out.output
    assert re.search(r"lookups_pass_rate \(overall\) = [\d.]+ is below the minimum 0.9; failing cases: .*look-miss",
                     out.output)
    assert re.search(r"call-centre look-ups passed +[\d.]+ \(\d of 8, ", out.output)
    assert all(c.id in out.output for c in load_cases(small_set))
    assert "Traceback" not in out.output
    relaxed = runner.invoke(main, [*args, "--no-gate"])
    assert relaxed.exit_code == 0 and "FAILED" in relaxed.output and "not enforced" in relaxed.output


def test_eval_compare_command(runner: CliRunner, run_a: tuple[Path, int], run_b: Path, reports_dir: Path) -> None:
    out = runner.invoke(main, ["eval", "--out", str(reports_dir), "--compare", run_a[0].name, "latest"])
    assert out.exit_code == 0, out.output
    assert "Broken (pass → fail)" in out.output and "topic-001" in out.output
    missing = runner.invoke(main, ["eval", "--out", str(reports_dir), "--compare", "no-such-run", "latest"])
    assert missing.exit_code == 1 and "no-such-run: not a report folder" in missing.output
    assert "Traceback" not in missing.output


def test_bad_inputs_get_clear_messages(runner: CliRunner, tmp_path: Path, small_set: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "category": "fact", "turns": ["q"], "expect": {}}\n{oops\n', "utf-8")
    out = runner.invoke(main, ["eval", "--cases", str(bad), "--out", str(tmp_path)])
    assert out.exit_code == 1 and "bad.jsonl:2: not valid JSON" in out.output and "Traceback" not in out.output
    limits = tmp_path / "t.json"
    limits.write_text(json.dumps({"overall": {"recall@7": {"min": 0.5}}}), "utf-8")
    out = runner.invoke(main, ["eval", "--cases", str(small_set), "--out", str(tmp_path), "--thresholds", str(limits)])
    assert out.exit_code == 1 and "unknown metric 'recall@7'" in out.output
    assert not any(tmp_path.glob("2*")), "a bad thresholds file must stop the run before it writes a report"


@pytest.mark.parametrize("content, message", [
    ('{"overall": {"hit@1": 0.8}}', "must be {\"min\": x} or {\"max\": x}"),
    ('{"overall": {"hit@1": {"atleast": 0.8}}}', "must be {\"min\": x} or {\"max\": x}"),
    ('{"overall": {"hit@1": {"min": "high"}}}', "must be a number"),
    ('{"categories": ["fact"]}', "categories must map"),
    ("[1, 2]", "expected"),
    ("{oops", "not valid JSON"),
])
def test_thresholds_file_errors_say_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(content, "utf-8")
    with pytest.raises(ThresholdError, match=re.escape(message)):
        load_thresholds(path)


@pytest.mark.parametrize("line, message", [
    ('{"id": "a", "turns": ["q"]}', "expected {"),
    ('{"id": "a", "category": "fact", "turns": [], "expect": {}}', "at least one non-empty turn"),
    ('{"id": "a", "category": "fact", "turns": ["  "], "expect": {}}', "at least one non-empty turn"),
])
def test_bad_case_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n" + line + "\n", "utf-8")
    with pytest.raises(CaseError, match=rf"c\.jsonl:2: .*{re.escape(message)}"):
        load_cases(path)


def test_a_bad_lookup_line_names_file_line_and_shape(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    path.write_text(json.dumps(MISS) + "\n" + '{"id": "x", "kind": "term", "query": "q", "expect": {}}\n', "utf-8")
    with pytest.raises(CaseError, match=r'l\.jsonl:2: expected \{"id", "kind", "query", "expect": \{"first"'):
        load_cases(path, Lookup)


def test_the_committed_example_is_a_complete_run_linked_from_the_readme() -> None:
    example = PROJECT_ROOT / "eval" / "reports" / "example"
    doc, rows = load_run(example)
    assert list(doc["pipelines"]) == ["pipeline", *BASELINES]
    main = [r for r in rows if "set" not in r]  # the other case sets ride along, marked with their set
    assert doc["cases"] >= 150 and len(main) == 3 * doc["cases"]
    assert {"dev-voices", "sealed", "sealed-first-sight", "sealed-b", "sealed-b-first-sight"} <= set(doc["sets"])
    assert doc["lookups"]["file"] == "eval/lookups.jsonl" and doc["lookups"]["overall"]["cases"] >= 60
    assert "## Call-centre look-ups" in (example / "report.md").read_text("utf-8")
    assert doc["gate"]["passed"] is True and doc["pipelines"]["pipeline"]["overall"]["outside_numbers"] == 0
    assert "(eval/reports/example/report.md)" in (PROJECT_ROOT / "README.md").read_text("utf-8")
    assert "<svg" in (example / "report.html").read_text("utf-8")


@pytest.mark.slow
def test_eval_with_baselines_reaches_no_network(settings: Settings, small_set: Path, tmp_path: Path) -> None:
    import subprocess

    from tests.servers import guarded_env
    from tests.test_offline import cli

    env = guarded_env(settings, tmp_path)
    out = subprocess.run(cli("eval", "--baselines", "--cases", str(small_set), "--out", str(tmp_path / "r"), "--no-gate"),
                         env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert latest_report(tmp_path / "r") is not None
    log = tmp_path / "attempts.log"
    assert not log.exists() or log.read_text() == "", log.read_text()
