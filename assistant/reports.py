"""Render an evaluation run as Markdown and as one self-contained HTML page with inline SVG charts.

Both work on the plain data a run writes (``metrics.json`` and the rows of ``responses.jsonl``), so a
committed report can be re-rendered without the assistant. The pages are Jinja2 templates in
``assistant/templates/`` (``report.md.j2``, ``report.html.j2``, and ``charts.html.j2`` whose macros draw
the SVG charts); this module holds what the templates need: labels, number formats and the rows each
table shows. The HTML loads nothing: no scripts, no style sheets, no fonts, no images from anywhere.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape

LABELS = {
    "cases": "cases",
    "passed": "cases passed",
    "pass_rate": "pass rate",
    "routing_accuracy": "routing accuracy@1",
    "office_top3": "office among first 3",
    "hit@1": "initiative hit@1",
    "hit@3": "initiative hit@3",
    "mrr": "initiative MRR",
    "fact_recall": "fact recall",
    "abstention_precision": "abstention precision",
    "abstention_recall": "abstention recall",
    "false_abstention_rate": "false-abstention rate",
    "clarify_rate": "clarifying questions",
    "turn_pass_rate": "chain turns passed",
    "outside_numbers": "numbers outside the directory",
    "latency_p50_ms": "latency p50 (ms)",
    "latency_p95_ms": "latency p95 (ms)",
}
# The call-centre look-ups are scored on the directory search alone: named in the gate and the diff,
# not in the pipelines' tables.
LOOKUP_LABELS = {"lookups_pass_rate": "call-centre look-ups passed"}
LOOKUPS_SET = "lookups"  # the ``set`` of a look-up's line in responses.jsonl (assistant/evaluation/lookups.py)

DEFINITIONS = {
    "pass_rate": "cases whose every check holds (contact, top initiative, facts, abstention, no unknown number)",
    "routing_accuracy": "in-scope cases with an expected number whose first contact is one of them",
    "office_top3": "in-scope cases whose expected office is among the first three the answer offers "
                   "(a clarifying question's options, then its contacts)",
    "hit@1": "in-scope cases with an expected initiative that the answer names first",
    "hit@3": "… that the answer names among its first three",
    "mrr": "mean of 1/rank of the first expected initiative (0 when absent)",
    "fact_recall": "expected facts (numbers, dates, names) found in the answer text, over all expected facts",
    "abstention_precision": "abstentions that were on out-of-scope questions",
    "abstention_recall": "out-of-scope questions the assistant declined",
    "false_abstention_rate": "in-scope questions the assistant declined (lower is better)",
    "clarify_rate": "in-scope cases answered with a clarifying question (options) instead of one office",
    "turn_pass_rate": "every turn of the multi-turn chains (cases with an expectation for each turn) that passes",
    "outside_numbers": "phone numbers in answers that are not in the contact directory (must be 0)",
    "latency_p50_ms": "median time per turn, in milliseconds",
    "latency_p95_ms": "95th-percentile time per turn, in milliseconds",
}

BASELINE_NOTES = {
    "pipeline": "this assistant: slide-aware loading, MeCab chunks, dense + BM25 + sentence evidence, "
                "glossary, directory look-ups, abstention, chat history",
    "sentence-splitter-dense": "LlamaIndex SentenceSplitter chunks of the raw text, vector-only retrieval with the "
                               "same encoder, office of the top chunk's initiative, never abstains, no history",
    "bm25-char-bigram": "BM25 over character bigrams of this assistant's chunks, office of the top chunk's "
                        "initiative, abstains only when no bigram is known, no history",
}

RATIOS = ("pass_rate", "routing_accuracy", "hit@1", "hit@3", "mrr", "fact_recall", "abstention_precision",
          "abstention_recall", "false_abstention_rate")
THREE_PLACES = (*RATIOS, *LOOKUP_LABELS)
CATEGORY_COLUMNS = ("cases", "pass_rate", "routing_accuracy", "hit@1", "hit@3", "mrr", "fact_recall",
                    "abstention_precision", "abstention_recall", "false_abstention_rate", "outside_numbers",
                    "latency_p50_ms", "latency_p95_ms")
SHORT = {"cases": "cases", "pass_rate": "pass", "routing_accuracy": "routing@1", "hit@1": "hit@1", "hit@3": "hit@3",
         "mrr": "MRR", "fact_recall": "facts", "abstention_precision": "abst. P", "abstention_recall": "abst. R",
         "false_abstention_rate": "false abst.", "outside_numbers": "outside #", "latency_p50_ms": "p50 ms",
         "latency_p95_ms": "p95 ms"}
SET_METRICS = ("cases", "pass_rate", "routing_accuracy", "office_top3", "hit@1", "fact_recall", "abstention_recall",
               "false_abstention_rate", "clarify_rate", "turn_pass_rate", "outside_numbers", "latency_p95_ms")
# The ratios of SET_METRICS, drawn as bars.
SET_CHART = tuple(m for m in SET_METRICS if m in RATIOS or m in ("office_top3", "clarify_rate", "turn_pass_rate"))
CATEGORY_CHARTS = ("pass_rate", "routing_accuracy", "hit@1", "fact_recall")
VOICE_COLUMNS = ("cases", "pass_rate", "routing_accuracy", "abstention_recall", "false_abstention_rate",
                 "clarify_rate")
PALETTE = ("#2563eb", "#a3a3a3", "#f59e0b", "#10b981", "#db2777")


def label(metric: str) -> str:
    return LABELS.get(metric) or LOOKUP_LABELS.get(metric, metric)


def fmt(metric: str, value: Any) -> str:
    """A metric value as a reader wants it: ratios to three places, counts whole, milliseconds rounded."""
    if value is None:
        return "–"
    if metric in THREE_PLACES:
        return f"{value:.3f}"
    if metric.startswith("latency"):
        return f"{value:.0f}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _md(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _question(row: dict[str, Any]) -> str:
    return " → ".join(row["turns"])


def _failing(rows: list[dict[str, Any]], pipeline: str = "pipeline") -> list[dict[str, Any]]:
    return [r for r in rows if r["pipeline"] == pipeline and "set" not in r and not r["passed"]]


def _cases_cell(check: dict[str, Any], most: int = 12) -> str:
    """The cases a failed check names; for a met threshold only how many cases still miss."""
    ids = check["cases"]
    if check["ok"]:
        return f"({len(ids)} cases miss)" if ids else ""
    return ", ".join(ids[:most]) + (f" … +{len(ids) - most}" if len(ids) > most else "")


def _threshold(check: dict[str, Any]) -> str:
    return f"{'≥' if check['bound'] == 'min' else '≤'} {check['limit']:g}"


def histogram(values: list[float], bins: int = 24) -> dict[str, Any] | None:
    """Latencies counted into ``bins`` equal bars (None when there are none).

    The axis ends at the 99th percentile; slower turns gather in the last bar, so one outlier does not
    squeeze every other bar into the first.
    """
    if not values:
        return None
    ordered = sorted(values)
    hi = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] or ordered[-1] or 1.0
    width = hi / (bins - 1)
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int(v / width))] += 1
    return {"hi": hi, "width": width, "counts": counts, "top": max(counts)}


def missed_lookups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The look-ups that missed: what was typed, the offices acceptable first, what came first, what was not found."""
    return [{"id": r["id"], "kind": r["kind"], "query": r["query"], "expected": r["expect"]["first"],
             "came_first": r["found"][0] if r["found"] else "nothing",
             "not_found": [d for d in r["expect"]["includes"] if d not in r["found"]]}
            for r in rows if r.get("set") == LOOKUPS_SET and not r["passed"]]


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("assistant", "templates"),
        # Template names end in .j2: the HTML ones (*.html.j2) are escaped, the Markdown one is plain text.
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=StrictUndefined,
    )
    env.globals.update(
        fmt=fmt, label=label, cases_cell=_cases_cell, threshold=_threshold, question=_question,
        LABELS=LABELS, DEFINITIONS=DEFINITIONS, BASELINE_NOTES=BASELINE_NOTES, CATEGORY_COLUMNS=CATEGORY_COLUMNS,
        SHORT=SHORT, SET_METRICS=SET_METRICS, VOICE_COLUMNS=VOICE_COLUMNS, PALETTE=PALETTE,
    )
    env.filters["md"] = _md
    return env


def _template(name: str) -> Template:
    return _environment().get_template(name)


def _bars(groups: list[str], series: dict[str, list[Any]]) -> dict[str, Any]:
    return {"groups": groups, "series": series}


def _charts(doc: dict[str, Any]) -> dict[str, Any]:
    """The values each bar chart of the HTML page draws: one series a pipeline, set or measure."""
    pipelines = doc["pipelines"]
    cats = list(pipelines["pipeline"]["by_category"])
    sets = doc.get("sets") or {}
    bands = pipelines["pipeline"].get("reliability") or []
    lookups = doc.get("lookups")
    kinds = lookups["by_kind"] if lookups else {}
    return {
        "overall": _bars([label(m) for m in RATIOS],
                         {n: [p["overall"].get(m) for m in RATIOS] for n, p in pipelines.items()}),
        "by_category": {m: _bars(cats, {n: [p["by_category"].get(c, {}).get(m) for c in cats]
                                        for n, p in pipelines.items()}) for m in CATEGORY_CHARTS},
        "sets": _bars([label(m) for m in SET_CHART], {n: [s["overall"].get(m) for m in SET_CHART] for n, s in sets.items()}),
        "reliability": _bars([f"{b['from']:.1f}-{b['to']:.1f} (n={b['answers']})" for b in bands],
                             {"mean confidence": [b["confidence"] for b in bands],
                              "accuracy": [b["accuracy"] for b in bands]}),
        "lookups": _bars(["all", *kinds], {"pipeline": [lookups["overall"]["pass_rate"],
                                                       *(m["pass_rate"] for m in kinds.values())]}) if lookups else None,
    }


def _context(doc: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What both pages show: the run, its gate, the pipelines, the other sets and the failing cases."""
    main = doc["pipelines"]["pipeline"]
    checks = doc["gate"]["checks"]
    return {
        "doc": doc, "names": list(doc["pipelines"]), "main": main, "cats": list(main["by_category"]),
        "gate": doc["gate"], "failed_checks": [c for c in checks if not c["ok"]],
        "sets": doc.get("sets") or {}, "voices": main.get("by_voice") or {}, "bands": main.get("reliability") or [],
        "lookups": doc.get("lookups"), "missed": missed_lookups(rows), "failing": _failing(rows),
    }


def render_markdown(doc: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The report as Markdown: gate, overall side by side, per category, the look-ups, and every failing case."""
    return _template("report.md.j2").render(_context(doc, rows))


def render_html(doc: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The report as one HTML page: charts per category and of latency, tables, and every failing case."""
    ms = [r["ms"] for r in rows if r["pipeline"] == "pipeline" and "set" not in r]
    return _template("report.html.j2").render(_context(doc, rows), charts=_charts(doc), latency=histogram(ms))
