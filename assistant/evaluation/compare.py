"""Two runs side by side: metric changes and the cases that flipped, and how their answers moved."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.evaluation.lookups import LOOKUPS_SET
from assistant.evaluation.runs import RunError, load_run, shown
from assistant.evaluation.scoring import METRICS, PIPELINE


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


def _first(row: dict[str, Any]) -> str:
    return (row["found"] or ["nothing"])[0]


def _lookup_changes(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """How a look-up's search results moved between two runs."""
    out = []
    if _first(a) != _first(b):
        out.append(f"first office {_first(a)} → {_first(b)}")
    if len(a["found"]) != len(b["found"]):
        out.append(f"offices found {len(a['found'])} → {len(b['found'])}")
    return out


def _lookup_table(doc_a: dict[str, Any], doc_b: dict[str, Any]) -> list[tuple[str, str, Any, Any]]:
    """The look-ups' pass rate overall and per kind in both runs (nothing when neither scored look-ups)."""
    la, lb = doc_a.get("lookups") or {}, doc_b.get("lookups") or {}
    if not la and not lb:
        return []
    table = [("look-ups", "pass_rate", la.get("overall", {}).get("pass_rate"),
              lb.get("overall", {}).get("pass_rate"))]
    ka, kb = la.get("by_kind", {}), lb.get("by_kind", {})
    for kind in dict.fromkeys([*ka, *kb]):
        table.append((f"look-ups: {kind}", "pass_rate", ka.get(kind, {}).get("pass_rate"),
                      kb.get(kind, {}).get("pass_rate")))
    return table


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

        lines = [f"# Evaluation diff: `{shown(self.run_a)}` → `{shown(self.run_b)}`", ""]
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
    a = {r["id"]: r for r in rows_a if r["pipeline"] == pipeline and "set" not in r}
    b = {r["id"]: r for r in rows_b if r["pipeline"] == pipeline and "set" not in r}
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
    table += _lookup_table(doc_a, doc_b)
    la = {r["id"]: r for r in rows_a if r.get("set") == LOOKUPS_SET}
    lb = {r["id"]: r for r in rows_b if r.get("set") == LOOKUPS_SET}
    for lid in [i for i in la if i in lb]:
        ra, rb = la[lid], lb[lid]
        changes = _lookup_changes(ra, rb)
        if ra["passed"] == rb["passed"] and not changes:
            continue
        flip = Flip(lid, f"look-up, {rb['kind']}", rb["query"], ra["passed"], rb["passed"], tuple(changes),
                    tuple(rb.get("problems", [])))
        (changed if ra["passed"] == rb["passed"] else fixed if rb["passed"] else broken).append(flip)
    return Comparison(run_a, run_b, table, fixed, broken, changed, [i for i in a if i not in b],
                      [i for i in b if i not in a], doc_a.get("cases_sha1") == doc_b.get("cases_sha1"))
