"""Render an evaluation run as Markdown and as one self-contained HTML page with inline SVG charts.

Both work on the plain data a run writes (``metrics.json`` and the rows of ``responses.jsonl``), so a
committed report can be re-rendered without the assistant. The HTML loads nothing: no scripts, no
style sheets, no fonts, no images from anywhere.
"""

from __future__ import annotations

from html import escape
from typing import Any

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
CATEGORY_COLUMNS = ("cases", "pass_rate", "routing_accuracy", "hit@1", "hit@3", "mrr", "fact_recall",
                    "abstention_precision", "abstention_recall", "false_abstention_rate", "outside_numbers",
                    "latency_p50_ms", "latency_p95_ms")
SHORT = {"cases": "cases", "pass_rate": "pass", "routing_accuracy": "routing@1", "hit@1": "hit@1", "hit@3": "hit@3",
         "mrr": "MRR", "fact_recall": "facts", "abstention_precision": "abst. P", "abstention_recall": "abst. R",
         "false_abstention_rate": "false abst.", "outside_numbers": "outside #", "latency_p50_ms": "p50 ms",
         "latency_p95_ms": "p95 ms"}
PALETTE = ("#2563eb", "#a3a3a3", "#f59e0b", "#10b981", "#db2777")


def label(metric: str) -> str:
    return LABELS.get(metric, metric)


def fmt(metric: str, value: Any) -> str:
    """A metric value as a reader wants it: ratios to three places, counts whole, milliseconds rounded."""
    if value is None:
        return "–"
    if metric in RATIOS:
        return f"{value:.3f}"
    if metric.startswith("latency"):
        return f"{value:.0f}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _md(text: str) -> str:
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


# ------------------------------------------------------------------------------------------------ Markdown


def render_markdown(doc: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The report as Markdown: gate, overall side by side, per category, and every failing case."""
    names = list(doc["pipelines"])
    main = doc["pipelines"]["pipeline"]
    gate = doc["gate"]
    out = [f"# Evaluation report, {doc['created_at']}", ""]
    out.append(f"Cases `{doc['cases_file']}` ({doc['cases']}, sha1 {doc['cases_sha1']}) · index "
               f"`{doc['index_version']}` · commit `{doc.get('git_commit') or 'unknown'}` · {doc['seconds']} s")
    out += ["", "Files: [report.html](report.html) (charts) · [responses.jsonl](responses.jsonl) (every answer, "
            "every check) · [metrics.json](metrics.json)", ""]

    if gate["checks"]:
        failed = [c for c in gate["checks"] if not c["ok"]]
        state = "PASSED" if not failed else f"FAILED ({len(failed)} of {len(gate['checks'])})"
        out += [f"## Quality gate: {state}", "", f"Thresholds from `{gate['thresholds_file']}`.", "",
                "| scope | metric | threshold | value | | failing cases |", "|---|---|---|---|---|---|"]
        for c in gate["checks"]:
            mark = "ok" if c["ok"] else "**FAIL**"
            cases = _cases_cell(c)
            out.append(f"| {c['scope']} | {label(c['metric'])} | {_threshold(c)} | {fmt(c['metric'], c['value'])} "
                       f"| {mark} | {cases} |")
        out.append("")
    else:
        out += ["## Quality gate: not checked (no thresholds file)", ""]

    out += ["## Overall", "", "| metric | " + " | ".join(f"`{n}`" for n in names) + " |",
            "|---|" + "---:|" * len(names)]
    for m in LABELS:
        out.append(f"| {label(m)} | " + " | ".join(fmt(m, doc["pipelines"][n]["overall"].get(m)) for n in names) + " |")
    out += ["", "What each pipeline is:", ""]
    out += [f"- `{n}`: {BASELINE_NOTES.get(n, '')}" for n in names]

    out += ["", "## Per category (`pipeline`)", "",
            "| category | " + " | ".join(SHORT[c] for c in CATEGORY_COLUMNS) + " |",
            "|---|" + "---:|" * len(CATEGORY_COLUMNS)]
    for cat, m in main["by_category"].items():
        out.append(f"| {cat} | " + " | ".join(fmt(c, m.get(c)) for c in CATEGORY_COLUMNS) + " |")

    if len(names) > 1:
        out += ["", "## Per category, side by side (pass rate / routing accuracy@1 / hit@1)", "",
                "| category | " + " | ".join(f"`{n}`" for n in names) + " |", "|---|" + "---:|" * len(names)]
        for cat in main["by_category"]:
            cells = []
            for n in names:
                m = doc["pipelines"][n]["by_category"].get(cat, {})
                cells.append(" / ".join(fmt(k, m.get(k)) for k in ("pass_rate", "routing_accuracy", "hit@1")))
            out.append(f"| {cat} | " + " | ".join(cells) + " |")

    out += _sets_markdown(doc) + _voices_markdown(main) + _reliability_markdown(main)

    failing = _failing(rows)
    out += ["", f"## Failing cases (`pipeline`): {len(failing)} of {doc['cases']}", "",
            "| id | category | question | what went wrong |", "|---|---|---|---|"]
    for r in failing:
        out.append(f"| `{r['id']}` | {r['category']} | {_md(_question(r))} | {_md('; '.join(r['problems']))} |")

    out += ["", "## How each metric is computed", ""]
    out += [f"- **{label(m)}**: {d}." for m, d in DEFINITIONS.items()]
    return "\n".join(out) + "\n"


SET_METRICS = ("cases", "pass_rate", "routing_accuracy", "office_top3", "hit@1", "fact_recall", "abstention_recall",
               "false_abstention_rate", "clarify_rate", "turn_pass_rate", "outside_numbers", "latency_p95_ms")


def _sets_markdown(doc: dict[str, Any]) -> list[str]:
    sets = doc.get("sets") or {}
    if not sets:
        return []
    names = list(sets)
    out = ["", "## Case sets side by side (`pipeline`)", "",
           "Tuned on `dev` and `dev-voices`; `sealed` was written by an independent author and is never tuned on; "
           "`sealed-first-sight` is the sealed set scored before any change it measures.", "",
           "| metric | " + " | ".join(f"`{n}`" for n in names) + " |", "|---|" + "---:|" * len(names)]
    for m in SET_METRICS:
        out.append(f"| {label(m)} | " + " | ".join(fmt(m, sets[n]["overall"].get(m)) for n in names) + " |")
    return out


def _voices_markdown(main: dict[str, Any]) -> list[str]:
    voices = main.get("by_voice") or {}
    if not voices:
        return []
    cols = ("cases", "pass_rate", "routing_accuracy", "abstention_recall", "false_abstention_rate", "clarify_rate")
    out = ["", "## Per voice (`pipeline`)", "", "| voice | " + " | ".join(label(c) for c in cols) + " |",
           "|---|" + "---:|" * len(cols)]
    out += [f"| {v} | " + " | ".join(fmt(c, m.get(c)) for c in cols) + " |" for v, m in voices.items()]
    return out


def _reliability_markdown(main: dict[str, Any]) -> list[str]:
    bands = main.get("reliability") or []
    if not bands:
        return []
    out = ["", "## Reliability: confidence against accuracy (`pipeline`)", "",
           "Each band holds the answers whose confidence fell in it; a calibrated router's accuracy matches "
           "its mean confidence.", "", "| confidence | answers | mean confidence | top initiative right |",
           "|---|---:|---:|---:|"]
    for b in bands:
        out.append(f"| {b['from']:.1f}–{b['to']:.1f} | {b['answers']} | {fmt('pass_rate', b['confidence'])} | "
                   f"{fmt('pass_rate', b['accuracy'])} |")
    return out


# ------------------------------------------------------------------------------------------------- charts


def svg_bars(title: str, groups: list[str], series: dict[str, list[float | None]]) -> str:
    """A grouped bar chart of values in [0, 1]: one group per label, one bar per series."""
    w, h, left, right, top, bottom = 900, 320, 44, 12, 46, 96
    pw, ph = w - left - right, h - top - bottom
    gw = pw / max(1, len(groups))
    bw = gw * 0.8 / max(1, len(series))
    p = [f'<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{escape(title)}">',
         f"<title>{escape(title)}</title>",
         f'<text x="{left}" y="16" class="t">{escape(title)}</text>']
    for i, name in enumerate(series):  # legend
        x = left + i * 230
        p.append(f'<rect x="{x}" y="26" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
                 f'<text x="{x + 16}" y="36" class="l">{escape(name)}</text>')
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + ph * (1 - tick)
        p.append(f'<line x1="{left}" x2="{w - right}" y1="{y:.1f}" y2="{y:.1f}" class="g"/>'
                 f'<text x="{left - 6}" y="{y + 4:.1f}" class="a" text-anchor="end">{tick:g}</text>')
    for gi, group in enumerate(groups):
        gx = left + gi * gw + gw * 0.1
        for si, (name, values) in enumerate(series.items()):
            v = values[gi]
            x = gx + si * bw
            if v is None:
                p.append(f'<text x="{x + bw / 2:.1f}" y="{top + ph - 3:.1f}" class="a" text-anchor="middle">–</text>')
                continue
            bh = ph * max(0.0, min(1.0, v))
            p.append(f'<rect x="{x:.1f}" y="{top + ph - bh:.1f}" width="{bw * 0.92:.1f}" height="{bh:.1f}" '
                     f'fill="{PALETTE[si % len(PALETTE)]}"><title>{escape(group)} · {escape(name)}: {v:.3f}</title></rect>')
        cx = left + gi * gw + gw / 2
        p.append(f'<text transform="translate({cx:.1f},{top + ph + 14}) rotate(-30)" class="a" '
                 f'text-anchor="end">{escape(group)}</text>')
    p.append("</svg>")
    return "".join(p)


def svg_histogram(title: str, values: list[float], marks: dict[str, float], bins: int = 24) -> str:
    """A histogram of latencies in milliseconds, with dashed lines at the marked percentiles."""
    w, h, left, right, top, bottom = 900, 260, 44, 12, 30, 40
    pw, ph = w - left - right, h - top - bottom
    p = [f'<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{escape(title)}">',
         f"<title>{escape(title)}</title>", f'<text x="{left}" y="16" class="t">{escape(title)}</text>']
    if not values:
        p.append(f'<text x="{left}" y="{top + 20}" class="a">no data</text></svg>')
        return "".join(p)
    ordered = sorted(values)
    # The axis ends at the 99th percentile; slower turns gather in the last bar, so one outlier
    # does not squeeze every other bar into the first.
    hi = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] or ordered[-1] or 1.0
    width = hi / (bins - 1)
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int(v / width))] += 1
    top_count = max(counts)
    for tick in range(0, 5):
        c = top_count * tick / 4
        y = top + ph * (1 - tick / 4)
        p.append(f'<line x1="{left}" x2="{w - right}" y1="{y:.1f}" y2="{y:.1f}" class="g"/>'
                 f'<text x="{left - 6}" y="{y + 4:.1f}" class="a" text-anchor="end">{c:.0f}</text>')
    bw = pw / bins
    for i, c in enumerate(counts):
        bh = ph * c / top_count
        lo = i * width
        span = f"≥ {lo:.0f}" if i == bins - 1 else f"{lo:.0f}–{lo + width:.0f}"
        p.append(f'<rect x="{left + i * bw + 1:.1f}" y="{top + ph - bh:.1f}" width="{bw - 2:.1f}" height="{bh:.1f}" '
                 f'fill="{PALETTE[0]}"><title>{span} ms: {c} turns</title></rect>')
    for tick in range(0, 4):
        x = left + (pw - bw) * tick / 4
        p.append(f'<text x="{x:.1f}" y="{top + ph + 16}" class="a" text-anchor="middle">{hi * tick / 4:.0f} ms</text>')
    p.append(f'<text x="{w - right:.1f}" y="{top + ph + 16}" class="a" text-anchor="end">≥ {hi:.0f} ms</text>')
    for name, v in marks.items():
        x = left + (pw - bw) * min(1.0, v / hi)
        p.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" class="m"/>'
                 f'<text x="{x + 4:.1f}" y="{top + 12}" class="a">{escape(name)} {v:.0f} ms</text>')
    p.append("</svg>")
    return "".join(p)


# --------------------------------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK JP","Hiragino Sans",sans-serif;margin:2rem auto;
max-width:1100px;padding:0 1rem;color:#111;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}th,td{border:1px solid #ddd;padding:.25rem .5rem;
vertical-align:top}th{background:#f5f5f5;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#15803d}.fail{color:#b91c1c;font-weight:600}.meta{color:#555;font-size:.9rem}
svg .t{font-size:15px;font-weight:600}svg .l,svg .a{font-size:12px;fill:#333}svg .g{stroke:#e5e5e5}
svg .m{stroke:#b91c1c;stroke-dasharray:4 3}details pre{white-space:pre-wrap;background:#fafafa;padding:.5rem}
code{background:#f3f3f3;padding:0 .2rem}
"""


def _cell(metric: str, value: Any) -> str:
    return f'<td class="n">{escape(fmt(metric, value))}</td>'


def render_html(doc: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The report as one HTML page: charts per category and of latency, tables, and every failing case."""
    names = list(doc["pipelines"])
    main = doc["pipelines"]["pipeline"]
    cats = list(main["by_category"])
    gate = doc["gate"]
    h = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
         f"<title>Evaluation report {escape(doc['created_at'])}</title><style>{_CSS}</style></head><body>",
         f"<h1>Evaluation report, {escape(doc['created_at'])}</h1>",
         f'<p class="meta">Cases <code>{escape(doc["cases_file"])}</code> ({doc["cases"]}, sha1 {escape(doc["cases_sha1"])})'
         f' · index <code>{escape(str(doc["index_version"]))}</code> · commit <code>{escape(str(doc.get("git_commit")))}'
         f'</code> · {doc["seconds"]} s · pipelines: {escape(", ".join(names))}</p>']

    if gate["checks"]:
        failed = [c for c in gate["checks"] if not c["ok"]]
        state = '<span class="ok">passed</span>' if not failed else \
            f'<span class="fail">FAILED ({len(failed)} of {len(gate["checks"])})</span>'
        h.append(f"<h2>Quality gate: {state}</h2><p class=\"meta\">Thresholds from "
                 f"<code>{escape(str(gate['thresholds_file']))}</code>.</p>")
        h.append("<table><tr><th>scope</th><th>metric</th><th>threshold</th><th>value</th><th></th>"
                 "<th>failing cases</th></tr>")
        for c in gate["checks"]:
            mark = '<span class="ok">ok</span>' if c["ok"] else '<span class="fail">FAIL</span>'
            h.append(f"<tr><td>{escape(c['scope'])}</td><td>{escape(label(c['metric']))}</td>"
                     f"<td>{escape(_threshold(c))}</td>{_cell(c['metric'], c['value'])}<td>{mark}</td>"
                     f"<td>{escape(_cases_cell(c, most=1000))}</td></tr>")
        h.append("</table>")

    h.append("<h2>Overall</h2>")
    h.append(svg_bars("Overall, by pipeline (false-abstention rate: lower is better)",
                      [label(m) for m in RATIOS],
                      {n: [doc["pipelines"][n]["overall"].get(m) for m in RATIOS] for n in names}))
    h.append("<table><tr><th>metric</th>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>")
    for m in LABELS:
        h.append(f"<tr><td>{escape(label(m))}</td>"
                 + "".join(_cell(m, doc["pipelines"][n]["overall"].get(m)) for n in names) + "</tr>")
    h.append("</table><ul>" + "".join(f"<li><code>{escape(n)}</code>: {escape(BASELINE_NOTES.get(n, ''))}</li>"
                                      for n in names) + "</ul>")

    h.append("<h2>Per category</h2>")
    for m in ("pass_rate", "routing_accuracy", "hit@1", "fact_recall"):
        h.append(svg_bars(f"{label(m)} by category", cats,
                          {n: [doc["pipelines"][n]["by_category"].get(c, {}).get(m) for c in cats] for n in names}))
    h.append("<table><tr><th>category</th>" + "".join(f"<th>{escape(SHORT[c])}</th>" for c in CATEGORY_COLUMNS) + "</tr>")
    for cat, m in main["by_category"].items():
        h.append(f"<tr><td>{escape(cat)}</td>" + "".join(_cell(c, m.get(c)) for c in CATEGORY_COLUMNS) + "</tr>")
    h.append("</table>")

    sets = doc.get("sets") or {}
    if sets:
        ratios = [m for m in SET_METRICS if m in RATIOS or m in ("office_top3", "clarify_rate", "turn_pass_rate")]
        h.append("<h2>Case sets side by side (pipeline)</h2><p>Tuned on dev and dev-voices; sealed is never tuned "
                 "on; sealed-first-sight is the sealed set before any change it measures.</p>")
        h.append(svg_bars("Case sets, side by side", [label(m) for m in ratios],
                          {n: [s["overall"].get(m) for m in ratios] for n, s in sets.items()}))
        h.append("<table><tr><th>metric</th>" + "".join(f"<th>{escape(n)}</th>" for n in sets) + "</tr>")
        for m in SET_METRICS:
            h.append(f"<tr><td>{escape(label(m))}</td>" + "".join(_cell(m, s["overall"].get(m)) for s in sets.values())
                     + "</tr>")
        h.append("</table>")
    bands = main.get("reliability") or []
    if bands:
        h.append("<h2>Reliability</h2><p>Answers grouped by their confidence: a calibrated router's accuracy "
                 "matches its mean confidence.</p>")
        h.append(svg_bars("Confidence against accuracy", [f"{b['from']:.1f}-{b['to']:.1f} (n={b['answers']})"
                                                          for b in bands],
                          {"mean confidence": [b["confidence"] for b in bands],
                           "accuracy": [b["accuracy"] for b in bands]}))

    h.append("<h2>Latency</h2>")
    ms = [r["ms"] for r in rows if r["pipeline"] == "pipeline" and "set" not in r]
    o = main["overall"]
    h.append(svg_histogram("Time per turn, pipeline (ms)", ms,
                           {"p50": o["latency_p50_ms"] or 0.0, "p95": o["latency_p95_ms"] or 0.0}))
    h.append("<table><tr><th>pipeline</th><th>p50 ms</th><th>p95 ms</th></tr>" + "".join(
        f"<tr><td>{escape(n)}</td>{_cell('latency_p50_ms', doc['pipelines'][n]['overall']['latency_p50_ms'])}"
        f"{_cell('latency_p95_ms', doc['pipelines'][n]['overall']['latency_p95_ms'])}</tr>" for n in names) + "</table>")

    failing = _failing(rows)
    h.append(f"<h2>Failing cases (pipeline): {len(failing)} of {doc['cases']}</h2>")
    h.append("<table><tr><th>id</th><th>category</th><th>question</th><th>what went wrong</th><th>answer</th></tr>")
    for r in failing:
        problems = "".join(f"<li>{escape(p)}</li>" for p in r["problems"])
        h.append(f"<tr><td><code>{escape(r['id'])}</code></td><td>{escape(r['category'])}</td>"
                 f"<td>{escape(_question(r))}</td><td><ul>{problems}</ul></td>"
                 f"<td><details><summary>show</summary><pre>{escape(r['answer']['answer'])}</pre></details></td></tr>")
    h.append("</table>")

    h.append("<h2>How each metric is computed</h2><ul>")
    h += [f"<li><b>{escape(label(m))}</b>: {escape(d)}.</li>" for m, d in DEFINITIONS.items()]
    h.append("</ul></body></html>")
    return "\n".join(h) + "\n"
