"""Tune the router's evidence weights and thresholds on the dev set (never on eval/sealed.jsonl).

Reads every single-question case of the given files once (the evidence does not depend on the
weights), then searches the weights and thresholds offline and prints the best settings with what
they score. Usage: .venv/bin/python scripts/tune_routing.py eval/dev.jsonl [more dev files]
"""

from __future__ import annotations

import itertools
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.evaluation import load_cases
from assistant.normalize import nfkc
from assistant.routing import RouteReason
from assistant.service import build_assistant

FEATURES = ("dense", "sentence", "bm25", "title_hit", "lexical", "examples")


@dataclass
class Row:
    id: str
    abstain: bool
    correct: set[str]  # titles counted right
    titles: list[str]
    x: np.ndarray  # (initiatives, features)
    oos: float
    blocked: bool  # a coverage rule or an unstated fact turns it away whatever the weights
    offices: list[set[str]]


def collect(paths: list[Path]) -> list[Row]:
    a = build_assistant()
    router = a.router
    rows = []
    for path in paths:
        for case in load_cases(path):
            if len(case.turns) != 1:
                continue
            q = router.read(case.turns[0])
            if q.phones or q.offices or router.directory.by_extension(q.text):
                continue  # the directory decides these
            vote = router.vote(q)
            ranked = router.score(q, vote)
            x = np.array([[getattr(s, f) for f in FEATURES] for s in ranked])
            titles = [s.title for s in ranked]
            correct = {t for t in titles if any(nfkc(s) in nfkc(t) for s in case.sections)}
            top = ranked[0]
            route = router.route(q)
            blocked = route.reason == RouteReason.uncovered or bool(
                router.reader.uncovered(q, router.words.text_of.get(top.title, "")))
            rows.append(Row(case.id, case.abstain, correct, titles, x, vote.out_of_scope, blocked,
                            [router._offices_of[t] for t in titles]))
    return rows


def search(rows: list[Row], w: np.ndarray, clarify_options: tuple[float, ...]) -> list[tuple[dict[str, float], tuple]]:
    """Every (out-of-scope weight, abstain threshold, clarify share) scored for one set of weights."""
    n = len(rows)
    top_score = np.zeros(n)
    top_lexical = np.zeros(n)
    top_right = np.zeros(n, bool)
    oos = np.array([r.oos for r in rows])
    is_oos = np.array([r.abstain for r in rows])
    blocked = np.array([r.blocked for r in rows])
    asks = {c: np.zeros(n, bool) for c in clarify_options}
    in_top3 = {c: np.zeros(n, bool) for c in clarify_options}
    for k, r in enumerate(rows):
        s = r.x @ w
        order = np.argsort(-s)
        top = order[0]
        top_score[k] = s[top]
        top_lexical[k] = r.x[top][FEATURES.index("lexical")]
        top_right[k] = r.titles[top] in r.correct
        for c in clarify_options:
            rivals = [i for i in order[1:3] if s[i] >= c * s[top] and not (r.offices[i] & r.offices[top])]
            asks[c][k] = bool(rivals)
            in_top3[c][k] = any(r.titles[i] in r.correct for i in [top, *rivals])
    inside = ~is_oos
    out = []
    for w_oos, discount in itertools.product((0.0, 0.5, 1.0, 1.5, 2.0, 3.0), (0.0, 0.5, 1.0)):
        # discount: how far the question's words found in the initiative's text outweigh the examples
        conf = top_score - w_oos * oos * (1 - discount * top_lexical)
        for abstain in np.arange(-0.4, 1.2, 0.04):
            away = (conf < abstain) | blocked
            for c in clarify_options:
                answered = inside & ~away
                m = {"routed": float((answered & top_right).sum() / inside.sum()),
                     "top3": float((answered & in_top3[c]).sum() / inside.sum()),
                     "away": float((inside & away).sum() / inside.sum()),
                     "oos_ok": float((is_oos & away).sum() / max(is_oos.sum(), 1)),
                     "clarify": float((answered & asks[c]).sum() / inside.sum())}
                out.append((m, ((w_oos, discount), round(float(abstain), 2), c)))
    return out


def objective(m: dict[str, float]) -> float:
    # Routing first; an out-of-scope question answered and an in-scope one turned away cost alike.
    return m["routed"] + 0.5 * m["top3"] + m["oos_ok"] - 1.5 * m["away"] - 0.3 * max(0.0, m["clarify"] - 0.1)


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [Path("eval/dev.jsonl")]
    if any("sealed" in p.name for p in paths):
        sys.exit("refusing to tune on the sealed set")
    rows = collect(paths)
    print(f"{len(rows)} questions ({sum(r.abstain for r in rows)} out of scope)")
    rng = random.Random(0)
    grid = {
        "dense": [0.0, 0.2, 0.4], "sentence": [0.0, 0.3, 0.6], "bm25": [0.0, 0.1, 0.2],
        "title_hit": [0.0, 0.15, 0.3], "lexical": [0.0, 0.15, 0.3], "examples": [0.5, 0.75, 1.0, 1.5],
    }
    best: tuple[float, dict[str, float], tuple] = (-9.0, {}, ())
    combos = list(itertools.product(*grid.values()))
    rng.shuffle(combos)
    for combo in combos[:300]:
        for m, knobs in search(rows, np.array(combo), (0.9, 0.95, 1.01)):
            o = objective(m)
            if o > best[0]:
                best = (o, m, (combo, *knobs))
    o, m, (combo, w_oos, abstain, clarify) = best
    print("weights", dict(zip(FEATURES, combo, strict=True)), "out_of_scope", w_oos, "abstain_below", abstain,
          "clarify_within", clarify)
    print({k: round(v, 3) for k, v in m.items()})
    print("confidence_slope", round(fit_slope(rows, np.array(combo), w_oos, abstain), 2))


def fit_slope(rows: list[Row], w: np.ndarray, oos_knobs: tuple[float, float], abstain: float) -> float:
    """The slope k that makes sigmoid(k * (raw confidence - threshold)) the chance the answer is right
    (maximum likelihood over a grid): 0.5 sits at the threshold."""
    raw, right = [], []
    w_oos, discount = oos_knobs
    for r in rows:
        s = r.x @ w
        top = int(np.argmax(s))
        raw.append(s[top] - w_oos * r.oos * (1 - discount * r.x[top][FEATURES.index("lexical")]) - abstain)
        right.append((not r.abstain) and r.titles[top] in r.correct)
    x, y = np.array(raw), np.array(right, float)
    best_k, best_ll = 1.0, -np.inf
    for k in np.arange(0.5, 30, 0.25):
        p = np.clip(1 / (1 + np.exp(-k * x)), 1e-6, 1 - 1e-6)
        ll = float((y * np.log(p) + (1 - y) * np.log(1 - p)).sum())
        if ll > best_ll:
            best_k, best_ll = float(k), ll
    return best_k


if __name__ == "__main__":
    main()
