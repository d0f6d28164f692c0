"""The regression set run through the chat's own code path: cases, scoring, the gate, runs on disk, diffs."""

from assistant.evaluation.cases import Asked, Case, CaseError, Expect, load_cases
from assistant.evaluation.compare import Comparison, Flip, answer_changes, compare_runs
from assistant.evaluation.gate import (
    GateCheck,
    Threshold,
    ThresholdError,
    check_gate,
    failing_cases,
    gate_message,
    load_thresholds,
)
from assistant.evaluation.runs import (
    RunError,
    count_steps,
    latest_report,
    load_run,
    new_report_folder,
    resolve_run,
    run_evaluation,
    write_report,
)
from assistant.evaluation.scoring import METRICS, PIPELINE, Ask, Report, Result, evaluate, metrics, run_cases

__all__ = [
    "METRICS", "PIPELINE", "Ask", "Asked", "Case", "CaseError", "Comparison", "Expect", "Flip", "GateCheck",
    "Report", "Result", "RunError", "Threshold", "ThresholdError", "answer_changes", "check_gate", "compare_runs",
    "count_steps", "evaluate", "failing_cases", "gate_message", "latest_report", "load_cases", "load_run",
    "load_thresholds", "metrics", "new_report_folder", "resolve_run", "run_cases", "run_evaluation", "write_report",
]
