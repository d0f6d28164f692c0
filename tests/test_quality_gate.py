"""The quality gate of `make test`: the whole regression set through the real assistant, against eval/thresholds.json."""

import dataclasses
import json
from pathlib import Path

import pytest

from assistant.evaluation import (
    LOOKUP_METRICS,
    Lookup,
    LookupReport,
    Report,
    Result,
    Threshold,
    ThresholdError,
    check_gate,
    evaluate,
    evaluate_lookups,
    failing_cases,
    gate_message,
    load_cases,
    load_thresholds,
    office_search,
)
from assistant.normalize import phone_digits
from assistant.service import Assistant
from tests.conftest import PROJECT_ROOT

QA = PROJECT_ROOT / "eval" / "dev.jsonl"
THRESHOLDS = PROJECT_ROOT / "eval" / "thresholds.json"
SEALED = PROJECT_ROOT / "eval" / "sealed.jsonl"
SEALED_THRESHOLDS = PROJECT_ROOT / "eval" / "thresholds-sealed.json"
LOOKUPS = PROJECT_ROOT / "eval" / "lookups.jsonl"


@pytest.fixture(scope="module")
def report(assistant: Assistant) -> Report:
    """Every case of the set, asked through the chat's own code path (run once for this module)."""
    digits = {o.digits for o in assistant.directory.offices}
    return evaluate(load_cases(QA), assistant.ask, digits)


@pytest.fixture(scope="module")
def lookups(assistant: Assistant) -> LookupReport:
    """The call-centre look-ups through the directory search, as `kinki-assistant eval` scores them."""
    return evaluate_lookups(load_cases(LOOKUPS, Lookup), office_search(assistant))


def assert_quality(report: Report, thresholds_file: Path, lookups: LookupReport | None = None) -> None:
    """Fail the test, naming each metric past its threshold and the cases that pulled it there."""
    checks = check_gate(report, load_thresholds(thresholds_file), lookups)
    if not all(c.ok for c in checks):
        pytest.fail(gate_message(checks, str(thresholds_file)), pytrace=False)


@pytest.mark.slow
def test_quality_gate(report: Report, lookups: LookupReport) -> None:
    assert_quality(report, THRESHOLDS, lookups)


@pytest.mark.slow
def test_quality_on_the_sealed_set_nothing_was_tuned_on(assistant: Assistant) -> None:
    digits = {o.digits for o in assistant.directory.offices}
    assert_quality(evaluate(load_cases(SEALED), assistant.ask, digits), SEALED_THRESHOLDS)


def _write(path: Path, limits: list[Threshold]) -> Path:
    data: dict = {"overall": {}, "categories": {}}
    for t in limits:
        table = data["overall"] if t.scope == "overall" else data["categories"].setdefault(t.scope, {})
        table.setdefault(t.metric, {})[t.bound] = t.limit
    path.write_text(json.dumps(data), "utf-8")
    return path


def _value(report: Report, lookups: LookupReport, t: Threshold) -> float:
    if t.metric in LOOKUP_METRICS:
        return lookups.value(t.metric)
    return (report.overall if t.scope == "overall" else report.by_category[t.scope])[t.metric]


def _results(report: Report, scope: str) -> list[Result]:
    return report.results if scope == "overall" else [r for r in report.results if r.case.category == scope]


@pytest.mark.slow
def test_gate_passes_at_the_committed_thresholds_and_fails_when_one_is_raised(
        report: Report, lookups: LookupReport, tmp_path: Path) -> None:
    committed = load_thresholds(THRESHOLDS)
    assert any(t.metric in LOOKUP_METRICS for t in committed)
    assert_quality(report, THRESHOLDS, lookups)  # passes as committed

    # Tighten each threshold just past what the pipeline reaches, one at a time: the gate must fail
    # and name that metric and exactly the cases that pull it the wrong way.
    tightened = 0
    for i, t in enumerate(committed):
        value = _value(report, lookups, t)
        if t.bound == "min" and value >= 1 or t.bound == "max" and value <= 0:
            continue  # nothing can be stricter than perfect
        strict = dataclasses.replace(t, limit=value + 0.001 if t.bound == "min" else value - 0.001)
        raised = _write(tmp_path / f"raised-{i}.json", [*committed[:i], strict, *committed[i + 1 :]])
        with pytest.raises(pytest.fail.Exception) as failed:
            assert_quality(report, raised, lookups)
        message = str(failed.value)
        assert f"{t.metric} ({t.scope})" in message and "1 of" in message
        expected = (lookups.missed if t.metric in LOOKUP_METRICS
                    else failing_cases(_results(report, t.scope), t.metric, strict.limit))
        assert expected and all(case_id in message for case_id in expected[:20])
        tightened += 1
    assert tightened >= 5  # the other thresholds guard metrics that are already perfect (1, or 0 for a maximum)


@pytest.mark.slow
def test_failing_cases_are_the_ones_that_really_miss(report: Report) -> None:
    by_id = {r.case.id: r for r in report.results}
    for case_id in failing_cases(report.results, "routing_accuracy"):
        r = by_id[case_id]
        expected = {phone_digits(p) for p in r.case.phones}
        assert expected and (not r.answer["contacts"] or phone_digits(r.answer["contacts"][0]["phone"]) not in expected)
    for case_id in failing_cases(report.results, "abstention_recall"):
        assert by_id[case_id].case.abstain and not by_id[case_id].answer["abstained"]
    assert set(failing_cases(report.results, "pass_rate")) == {r.case.id for r in report.results if not r.passed}


def test_the_lookups_threshold_is_checked_only_when_the_run_scored_lookups(tmp_path: Path) -> None:
    limits = _write(tmp_path / "t.json", [Threshold("overall", "lookups_pass_rate", "min", 0.97)])
    [check] = check_gate(Report({}), load_thresholds(limits))
    assert check.ok and check.value is None
    cases = [Lookup.model_validate({"id": f"look-{i}", "kind": "term", "query": "q", "expect": {"first": ["a"]}})
             for i in range(2)]
    finds_nothing = evaluate_lookups(cases, lambda query: [])
    [check] = check_gate(Report({}), load_thresholds(limits), finds_nothing)
    assert not check.ok and check.cases == ("look-0", "look-1")
    assert "lookups_pass_rate (overall) = 0 is below the minimum 0.97; failing cases: look-0, look-1" in check.message()
    (tmp_path / "cat.json").write_text(json.dumps({"categories": {"fact": {"lookups_pass_rate": {"min": 0.9}}}}))
    with pytest.raises(ThresholdError, match="put it in overall"):
        load_thresholds(tmp_path / "cat.json")
