"""The regression set run through the chat's own code path, and the call-centre look-ups through the
directory search: cases, scoring, the gate, runs on disk, diffs."""

from assistant.evaluation.cases import Asked, Case, CaseError, Expect, Lookup, LookupExpect, load_cases
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
from assistant.evaluation.lookups import (
    LOOKUP_METRICS,
    LookupReport,
    LookupResult,
    evaluate_lookups,
    lookup_found,
    office_search,
    run_lookups,
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
    "LOOKUP_METRICS", "METRICS", "PIPELINE", "Ask", "Asked", "Case", "CaseError", "Comparison", "Expect", "Flip",
    "GateCheck", "Lookup", "LookupExpect", "LookupReport", "LookupResult", "Report", "Result", "RunError",
    "Threshold", "ThresholdError", "answer_changes", "check_gate", "compare_runs", "count_steps", "evaluate",
    "evaluate_lookups", "failing_cases", "gate_message", "latest_report", "load_cases", "load_run",
    "load_thresholds", "lookup_found", "metrics", "new_report_folder", "office_search", "resolve_run", "run_cases",
    "run_evaluation", "run_lookups", "write_report",
]
