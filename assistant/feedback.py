"""Thumbs up or down on answers, kept in SQLite, and thumbs-down turned into draft evaluation cases.

The store opens the database on each call, so a missing folder, a read-only file or a damaged
database only fails the feedback call (with a clear ``FeedbackError``), never answering.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

Rating = Literal["up", "down"]
RATINGS: tuple[str, ...] = ("up", "down")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    history TEXT NOT NULL DEFAULT '[]',
    answer TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'ui'
)
"""

DRAFT_NOTE = ("DRAFT from a thumbs-down: fill in `expect` by checking the document (see eval/README.md), "
              "give it a real id and category, drop `draft`/`todo`/`feedback`, then add it to dev.jsonl.")


class FeedbackError(RuntimeError):
    """The feedback store cannot be read or written; the message says why and where."""


@dataclass(frozen=True)
class Feedback:
    """One recorded rating of one answer."""

    id: int
    created_at: str
    rating: str
    question: str
    history: list[str]
    answer: dict[str, Any]
    comment: str
    source: str


class FeedbackStore:
    """Ratings in a SQLite file; every method raises ``FeedbackError`` instead of a raw database error."""

    def __init__(self, path: Path, max_comment_chars: int = 1000) -> None:
        self.path = path
        self.max_comment_chars = max_comment_chars

    @contextmanager
    def _connect(self, write: bool) -> Iterator[sqlite3.Connection]:
        try:
            if write:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            elif not self.path.exists():
                raise FeedbackError(f"no feedback has been recorded yet ({self.path} does not exist)")
            with closing(sqlite3.connect(self.path, timeout=5)) as db:
                if write:
                    db.execute(_SCHEMA)
                with db:  # commits on success, rolls back on error
                    yield db
        except FeedbackError:
            raise
        except (sqlite3.Error, OSError) as e:
            log.error("feedback store %s failed: %s", self.path, e)
            raise FeedbackError(f"feedback could not be saved or read ({self.path}: {e})") from e

    def record(self, rating: str, question: str, answer: dict[str, Any], comment: str = "",
               history: Sequence[str] = (), source: str = "ui") -> int:
        """Store one rating and return its id; bad input raises ``ValueError`` with the reason."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        if not question.strip():
            raise ValueError("question is empty: feedback must say which question was answered")
        comment = self._checked_comment(comment)
        row = (datetime.now(UTC).isoformat(timespec="seconds"), rating, question.strip(),
               json.dumps(list(history), ensure_ascii=False), json.dumps(answer, ensure_ascii=False), comment, source)
        with self._connect(write=True) as db:
            cur = db.execute("INSERT INTO feedback (created_at, rating, question, history, answer, comment, source) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", row)
            return int(cur.lastrowid or 0)

    def add_comment(self, feedback_id: int, comment: str) -> None:
        """Attach (or replace) the comment of a recorded rating."""
        comment = self._checked_comment(comment)
        with self._connect(write=True) as db:
            cur = db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment, feedback_id))
            if cur.rowcount == 0:
                raise ValueError(f"no feedback with id {feedback_id}")

    def items(self, rating: str | None = None) -> list[Feedback]:
        """Recorded ratings, oldest first, optionally only ``'up'`` or ``'down'``."""
        query = "SELECT id, created_at, rating, question, history, answer, comment, source FROM feedback"
        args: tuple[str, ...] = ()
        if rating is not None:
            query += " WHERE rating = ?"
            args = (rating,)
        with self._connect(write=False) as db:
            rows = db.execute(query + " ORDER BY id", args).fetchall()
        return [Feedback(r[0], r[1], r[2], r[3], _json(r[4], []), _json(r[5], {}), r[6], r[7]) for r in rows]

    def _checked_comment(self, comment: str) -> str:
        comment = (comment or "").strip()
        if len(comment) > self.max_comment_chars:
            raise ValueError(f"comment is too long: at most {self.max_comment_chars} characters")
        return comment


def _json(text: str, default: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, json.JSONDecodeError):
        return default


def draft_cases(items: Sequence[Feedback]) -> list[dict[str, Any]]:
    """Thumbs-down as draft cases in the ``eval/dev.jsonl`` schema, one per distinct conversation.

    ``expect`` is left empty for a human to fill; what the assistant answered is kept beside it.
    """
    drafts: dict[tuple[str, ...], dict[str, Any]] = {}
    for f in items:
        if f.rating != "down":
            continue
        turns = tuple(str(t) for t in f.history) + (f.question,)
        contacts = f.answer.get("contacts") or []
        answered = {
            "initiatives": f.answer.get("initiatives", []),
            "phone": contacts[0].get("phone") if contacts and isinstance(contacts[0], dict) else None,
            "abstained": f.answer.get("abstained"),
            "answer": f.answer.get("answer", ""),
        }
        if turns in drafts:  # the same conversation rated down again: keep one draft, gather the comments
            d = drafts[turns]
            d["feedback"]["ids"].append(f.id)
            if f.comment:
                d["feedback"]["comments"].append(f.comment)
            continue
        drafts[turns] = {
            "id": f"draft-{f.id:03d}",
            "category": "draft",
            "turns": list(turns),
            "expect": {"sections": [], "phones": [], "facts": [], "abstain": False},
            "draft": True,
            "todo": DRAFT_NOTE,
            "feedback": {"ids": [f.id], "created_at": f.created_at, "source": f.source,
                         "comments": [f.comment] if f.comment else [], "answered": answered},
        }
    return list(drafts.values())
