"""Fit the quote chooser's evidence weights on dev sets' fact turns (never on eval/sealed*.jsonl).

Every turn of the given files that expects facts and is routed to its initiative is replayed once
(its history first, as in the chat), and each sentence of that initiative is read as its evidence row
(``QuoteChooser.evidence``); a sentence holding an expected fact is an answer. The weights are fitted
so that an answer outranks the other sentences (softmax over each turn's sentences, L2 towards the
weights in use), then scaled so that the two meaning columns add up as they do in use. Prints the
fitted weights and, for every file, the share of turns whose answer the top sentences hold, with the
weights in use and with the fitted ones; ``--held-out FILE`` scores a file with weights fitted on
the others only.

Usage: .venv/bin/python scripts/fit_quote_weights.py eval/dev.jsonl eval/dev-c.jsonl … [--held-out eval/dev-o.jsonl]
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.chat import Turn
from assistant.evaluation import load_cases
from assistant.normalize import nfkc
from assistant.quote_evidence import EVIDENCE
from assistant.service import build_assistant


def _squash(text: str) -> str:
    return re.sub(r"\s", "", nfkc(text))


@dataclass
class FactTurn:
    file: str
    id: str
    x: np.ndarray  # (sentences, EVIDENCE)
    offer: np.ndarray  # the help on offer (a situation), as weighed in use
    answers: np.ndarray  # bool per sentence: holds an expected fact
    top: int  # how many sentences the answer quotes


def collect(paths: list[Path]) -> list[FactTurn]:
    a = build_assistant()
    chooser = a.conversation.composer.chooser
    out = []
    for path in paths:
        if "sealed" in path.name:
            raise SystemExit(f"{path}: sealed sets are never fitted on")
        for case in load_cases(path):
            history: list[Turn] = []
            for i, expect in case.expectations():
                while len(history) < 2 * i:  # the turns before this one, answered as in the chat
                    turn = case.turns[len(history) // 2]
                    history += [Turn("user", turn), Turn("assistant", a.ask(turn, list(history)).answer)]
                if expect.abstain or not expect.facts:
                    continue
                route = a.conversation.resolve(case.turns[i], list(history))
                if not route.initiatives or route.abstained or not any(
                        nfkc(s) in nfkc(route.initiatives[0].title) for s in expect.sections):
                    continue
                title = route.initiatives[0].title
                x, offer = chooser.evidence(route, title)
                facts = [_squash(f) for f in expect.facts]
                texts = chooser.quoted_texts(title)
                answers = np.array([any(f in _squash(t) for f in facts) for t in texts])
                if answers.any() and not answers.all():
                    out.append(FactTurn(path.stem, f"{case.id}#{i}", x, offer, answers,
                                        3 if route.question.asked else 2))
    return out


def hit_rate(turns: list[FactTurn], w: np.ndarray) -> float:
    hits = 0
    for t in turns:
        order = np.argsort(-(t.x @ w + t.offer), kind="stable")
        hits += bool(t.answers[order[: t.top]].any())
    return hits / len(turns) if turns else float("nan")


def fit(turns: list[FactTurn], prior: np.ndarray, l2: float, steps: int = 3000, rate: float = 0.05) -> np.ndarray:
    """Softmax over each turn's sentences, the answers' share maximised; Adam, L2 towards ``prior``."""
    w = prior.copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for step in range(1, steps + 1):
        grad = l2 * (w - prior)
        for t in turns:
            s = t.x @ w + t.offer
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * t.answers
            q /= q.sum()
            grad += (p - q) @ t.x / len(turns)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--held-out", type=Path, action="append", default=[])
    parser.add_argument("--l2", type=float, default=0.05)
    args = parser.parse_args()
    turns = collect(args.files + args.held_out)
    weights = build_assistant().conversation.composer.chooser.weights
    prior = np.array([getattr(weights, f"quote_{name}") for name in EVIDENCE])
    held = {p.stem for p in args.held_out}
    train = [t for t in turns if t.file not in held]
    w = fit(train, prior, args.l2)
    w = w / (w[0] + w[1]) * (prior[0] + prior[1])  # meaning weighs as in use; the help on offer keeps its scale
    print(f"{len(train)} fact turns fitted on ({len(turns) - len(train)} held out)")
    for name, old, new in zip(EVIDENCE, prior, w, strict=True):
        print(f"  quote_{name:<14} {old:6.3f} -> {new:6.3f}")
    print(f"{'file':<12} {'turns':>5} {'in use':>7} {'fitted':>7}")
    for f in dict.fromkeys(t.file for t in turns):
        mine = [t for t in turns if t.file == f]
        print(f"{f + (' *' if f in held else ''):<12} {len(mine):>5} {hit_rate(mine, prior):7.3f} {hit_rate(mine, w):7.3f}")


if __name__ == "__main__":
    main()
