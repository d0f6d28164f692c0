"""Shared fixtures: one real index built once per test session in a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.corpus import Document, load_document  # noqa: E402
from assistant.embeddings import get_encoder  # noqa: E402
from assistant.index import build_index  # noqa: E402
from assistant.service import Assistant, build_assistant  # noqa: E402
from assistant.settings import PROJECT_ROOT, Settings  # noqa: E402
from assistant.tokenizer import Tokenizer, get_tokenizer  # noqa: E402

CORPUS = PROJECT_ROOT / "corpus"
SOURCE = CORPUS / "000_172e9370bded9419.txt"


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
