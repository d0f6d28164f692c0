"""The case files: the pydantic models read by the evaluation, the bench and ``ask --batch``, and the
call-centre look-ups the directory search is scored on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

Message = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]


class Expect(BaseModel):
    """What a correct answer to one turn contains."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sections: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    abstain: bool = False


class Asked(BaseModel):
    """A conversation to put to the assistant: earlier turns are history, the last one is answered."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    SHAPE: ClassVar[str] = '{"turns": [...]}'  # named when a line does not fit

    id: str | None = None
    turns: tuple[Message, ...] = Field(min_length=1)


class Case(Asked):
    """A scored case: the conversation and what each answer must contain.

    ``turn_expects`` (chains) holds one expectation a turn, so every turn is scored, not only the last.
    """

    SHAPE: ClassVar[str] = '{"id", "category", "turns": [...], "expect": {...}}'

    id: str
    category: str
    expect: Expect
    turn_expects: tuple[Expect, ...] | None = None
    voice: str = ""
    origin: str = ""

    @model_validator(mode="after")
    def _one_expectation_a_turn(self) -> Case:
        if self.turn_expects is not None and len(self.turn_expects) != len(self.turns):
            raise ValueError(f"turn_expects has {len(self.turn_expects)} entries for {len(self.turns)} turns")
        return self

    @property
    def sections(self) -> tuple[str, ...]:
        return self.expect.sections

    @property
    def phones(self) -> tuple[str, ...]:
        return self.expect.phones

    @property
    def facts(self) -> tuple[str, ...]:
        return self.expect.facts

    @property
    def abstain(self) -> bool:
        return self.expect.abstain

    def expectations(self) -> list[tuple[int, Expect]]:
        """(turn index, expectation) of every scored turn: each turn of a chain, else the last."""
        if self.turn_expects is None:
            return [(len(self.turns) - 1, self.expect)]
        return list(enumerate(self.turn_expects))


class LookupExpect(BaseModel):
    """The offices a look-up must find: its first result is one of ``first``, and ``includes`` are all found."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first: tuple[str, ...] = Field(min_length=1)
    includes: tuple[str, ...] = ()


class Lookup(BaseModel):
    """A call-centre look-up (eval/lookups.jsonl): what is typed into the directory search, and which
    divisions it must find. ``kind`` says how the office is named (department, place, term, a division
    name in Japanese, kana or English, a number)."""

    SHAPE: ClassVar[str] = '{"id", "kind", "query", "expect": {"first": [...], "includes": [...]}}'
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    kind: str
    query: Message
    expect: LookupExpect


T = TypeVar("T", bound=BaseModel)


class CaseError(ValueError):
    """A line of a cases file that is not a valid case; the message names the file and line."""


def _why(e: ValidationError) -> str:
    first = e.errors()[0]
    if first["loc"] and first["loc"][0] == "turns":
        return "needs at least one non-empty turn"
    where = ".".join(str(p) for p in first["loc"]) or "line"
    return f"{where}: {first['msg']}"


def load_cases(path: Path, model: type[T] = Case) -> list[T]:  # type: ignore[assignment]
    """The cases of a JSONL file, one JSON object a line; a bad line raises ``CaseError`` naming it."""
    out: list[T] = []
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CaseError(f"{path}: cannot read ({e.strerror})") from e
    for n, line in enumerate(raw.splitlines(), 1):
        try:
            text = line.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as e:
            raise CaseError(f"{path}:{n}: not UTF-8 text ({e.reason} at byte {e.start}); save the file as UTF-8") from e
        if not text.strip():
            continue
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as e:
            raise CaseError(f"{path}:{n}: not valid JSON ({e.msg})") from e
        try:
            out.append(model.model_validate(data))
        except ValidationError as e:
            raise CaseError(f"{path}:{n}: expected {model.SHAPE} ({_why(e)})") from e  # type: ignore[attr-defined]
    return out
