"""Shared fixtures: one real index built once per test session in a temporary folder."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.answers import Answer  # noqa: E402
from assistant.chat import Turn  # noqa: E402
from assistant.corpus import Document, load_document  # noqa: E402
from assistant.embeddings import get_encoder  # noqa: E402
from assistant.index import build_index  # noqa: E402
from assistant.quote_units import MARKS  # noqa: E402
from assistant.service import Assistant, build_assistant  # noqa: E402
from assistant.settings import PROJECT_ROOT, Settings  # noqa: E402
from assistant.tokenizer import Tokenizer, get_tokenizer  # noqa: E402
from tests.servers import answer, chroma_heartbeat, free_port, start_chroma  # noqa: E402

CORPUS = PROJECT_ROOT / "corpus"
SOURCE = CORPUS / "000_172e9370bded9419.txt"


# A quote leaves out line breaks and bullet glyphs (•, ⚫, ■ …: the issue asks that glyphs stay out of quotes),
# so bullets quoted together, or a box under its heading, read without the glyph between them.
_LAYOUT = re.compile(rf"[\s{MARKS}]")


def squashed(text: str) -> str:
    """Text without whitespace or bullet glyphs: a quote is verbatim when its squashed form is in the source's."""
    return _LAYOUT.sub("", text)


def ask_chain(assistant: Assistant, *messages: str) -> Answer:
    """The answer to the last of ``messages``, each asked with the ones before it as history."""
    history: list[Turn] = []
    answer = None
    for m in messages:
        answer = assistant.ask(m, history)
        history += [Turn("user", m), Turn("assistant", answer.answer)]
    assert answer is not None
    return answer


def make_settings(root: Path, **overrides: object) -> Settings:
    """Settings for a test: the real corpus, everything written under ``root``."""
    values: dict[str, object] = {
        "corpus_dir": CORPUS,
        "index_dir": root / "index",
        "feedback_db": root / "feedback.sqlite3",
        "eval_dir": PROJECT_ROOT / "eval",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def document() -> Document:
    return load_document(SOURCE)


@pytest.fixture(scope="session")
def tokenizer() -> Tokenizer:
    return get_tokenizer()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose index is built once for the whole session."""
    s = make_settings(tmp_path_factory.mktemp("session"))
    build_index(s, get_tokenizer(), get_encoder(s.embed_threads))
    return s


@pytest.fixture(scope="session")
def assistant(settings: Settings) -> Assistant:
    return build_assistant(settings)


@pytest.fixture(scope="session")
def chroma_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A Chroma server on loopback: CI's (KINKI_TEST_CHROMA_PORT), else one started for this session."""
    given = os.environ.get("KINKI_TEST_CHROMA_PORT")
    if given:
        assert answer(chroma_heartbeat(int(given))) is not None, f"no Chroma server answers on 127.0.0.1:{given}"
        yield int(given)
        return
    port = free_port()
    proc = start_chroma(tmp_path_factory.mktemp("chroma-server"), port)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture()
def server_settings(tmp_path: Path, chroma_port: int) -> Settings:
    """Settings in Chroma server mode, with a collection prefix of the test's own."""
    return make_settings(tmp_path, chroma_mode="server", chroma_port=chroma_port,
                         collection=f"test-{tmp_path.name[-20:].replace('_', '-')}")


class SettingsRunner(CliRunner):
    """click's runner handing the CLI these settings as click's context object, where the group would
    otherwise read them from the environment."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def invoke(self, *args: Any, **kwargs: Any) -> Result:
        kwargs.setdefault("obj", self.settings)
        return super().invoke(*args, **kwargs)


@pytest.fixture()
def runner(settings: Settings) -> SettingsRunner:
    """click's runner for the CLI, with the session's settings (and so its index)."""
    return SettingsRunner(settings)
