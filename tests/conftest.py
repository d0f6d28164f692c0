"""Shared fixtures: one real index built once per test session in a temporary folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant import settings as settings_module  # noqa: E402
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


def _heartbeat(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def chroma_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A Chroma server on loopback: CI's (KINKI_TEST_CHROMA_PORT), else one started for this session."""
    given = os.environ.get("KINKI_TEST_CHROMA_PORT")
    if given:
        assert _heartbeat(int(given)), f"no Chroma server answers on 127.0.0.1:{given}"
        yield int(given)
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = Path(sys.executable).parent / "chroma"
    data = tmp_path_factory.mktemp("chroma-server")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 60
        while not _heartbeat(port):
            assert proc.poll() is None and time.monotonic() < deadline, "chroma run did not start"
            time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture()
def server_settings(tmp_path: Path, chroma_port: int) -> Settings:
    """Settings in Chroma server mode, with a collection prefix of the test's own."""
    return make_settings(tmp_path, chroma_mode="server", chroma_port=chroma_port,
                         collection=f"test-{tmp_path.name[-20:].replace('_', '-')}")


@pytest.fixture()
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """click's runner for the CLI, with the session's settings (and so its index)."""
    monkeypatch.setattr(settings_module, "get_settings", lambda: settings)
    monkeypatch.setattr("assistant.cli.get_settings", lambda: settings)
    return CliRunner()
