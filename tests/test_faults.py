"""Faults: a missing index, damaged index files, a build killed midway, a Chroma server that goes away."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.cli import main
from assistant.embeddings import get_encoder
from assistant.index import IndexCorrupt, build_index, current_version, read_manifest, verify
from assistant.retrieval import PolicyIndex
from assistant.service import build_assistant
from assistant.settings import Settings
from assistant.synthetic import make_corpus
from assistant.tokenizer import get_tokenizer
from tests.conftest import PROJECT_ROOT, make_settings
from tests.servers import CHROMA, free_port, served, start_chroma

HYDROGEN = "水素の相談はどこにすればいい？"
HYDROGEN_PHONE = "06-6966-6055"


def copy_index(settings: Settings, root: Path, **overrides: object) -> Settings:
    """Settings over a private copy of the session's index, to damage freely."""
    shutil.copytree(settings.index_dir, root / "index")
    return make_settings(root, **overrides)


def live_dir(s: Settings) -> Path:
    return s.index_dir / current_version(s.index_dir)


def flip_bytes(path: Path, count: int = 64) -> None:
    """Damage a file without changing its size (what a bad sector or a stray write does)."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + count] = bytes(b ^ 0xFF for b in data[middle : middle + count])
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGE: dict[str, Callable[[Path], None]] = {
    "chunks.json truncated": lambda v: truncate(v / "chunks.json"),
    "sentences.npy bytes flipped": lambda v: flip_bytes(v / "sentences.npy"),
    "bm25 scores bytes flipped": lambda v: flip_bytes(v / "bm25" / "data.csc.index.npy"),
    "bm25 vocabulary deleted": lambda v: (v / "bm25" / "vocab.index.json").unlink(),
    "chroma sqlite pages overwritten": lambda v: flip_bytes(v / "chroma" / "chroma.sqlite3", 200_000),
    "chroma sqlite truncated": lambda v: truncate(v / "chroma" / "chroma.sqlite3"),
    "manifest garbled": lambda v: flip_bytes(v / "manifest.json", 8),
    "version folder gone": lambda v: shutil.rmtree(v),
}


# --- Missing index ------------------------------------------------------------------------------


def test_missing_index_api_answers_503_with_how_to_build(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    client = TestClient(create_app(lambda: build_assistant(s), s))
    for r in (client.post("/api/chat", json={"message": HYDROGEN}), client.get("/healthz"),
              client.get("/api/contacts", params={"q": "水素"})):
        assert r.status_code == 503
        assert "no index" in r.json()["error"] and "kinki-assistant build-index" in r.json()["error"]


def test_missing_index_cli_says_how_to_build(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["ask", HYDROGEN], obj=make_settings(tmp_path))
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert "no index" in out.output and "kinki-assistant build-index" in out.output


def test_missing_index_served_app_explains_and_recovers(tmp_path: Path, settings: Settings,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.server import create_server

    s = make_settings(tmp_path)
    monkeypatch.setattr("ui.server.get_settings", lambda: s)
    client = TestClient(create_server())
    assert client.post("/api/chat", json={"message": HYDROGEN}).status_code == 503
    assert "kinki-assistant build-index" in client.get("/config").text  # the page the browser renders
    # Once the index is built, the running server answers without a restart.
    shutil.copytree(settings.index_dir, s.index_dir)
    r = client.post("/api/chat", json={"message": HYDROGEN})
    assert r.status_code == 200 and r.json()["contacts"][0]["phone"] == HYDROGEN_PHONE


# --- Damaged index --------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_is_detected_at_start(damage: str, settings: Settings, tmp_path: Path) -> None:
    s = copy_index(settings, tmp_path, repair_index=False)
    DAMAGE[damage](live_dir(s))
    with pytest.raises(IndexCorrupt):
        PolicyIndex.open(s, get_tokenizer(), get_encoder(s.embed_threads))
    with pytest.raises(IndexCorrupt):  # and the service refuses to start on it when repair is off
        build_assistant(s)


def test_undamaged_copy_passes_the_check(settings: Settings, tmp_path: Path) -> None:
    # The control for the test above: the check fails only because of the damage.
    s = copy_index(settings, tmp_path)
    verify(s, live_dir(s), read_manifest(live_dir(s)))


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["chroma sqlite pages overwritten", "version folder gone"])
def test_damaged_index_is_rebuilt_at_start(damage: str, settings: Settings, tmp_path: Path) -> None:
    s = copy_index(settings, tmp_path)
    version = current_version(s.index_dir)
    DAMAGE[damage](live_dir(s))
    assistant = build_assistant(s)  # repair_index is on by default
    answer = assistant.ask(HYDROGEN)
    assert answer.contacts[0].phone == HYDROGEN_PHONE and not answer.degraded
    assert current_version(s.index_dir) == version
    verify(s, live_dir(s), read_manifest(live_dir(s)))
    assert not [p.name for p in s.index_dir.iterdir() if p.name.startswith((".building", ".replaced"))]


# --- A build killed midway ------------------------------------------------------------------------


def _env(s: Settings) -> dict[str, str]:
    return {**os.environ, "KINKI_INDEX_DIR": str(s.index_dir), "KINKI_CORPUS_DIR": str(s.corpus_dir),
            "PYTHONPATH": str(PROJECT_ROOT)}


@pytest.mark.slow
def test_build_killed_midway_leaves_the_previous_index_serving(settings: Settings, tmp_path: Path) -> None:
    s = copy_index(settings, tmp_path)
    version = current_version(s.index_dir)
    # A build that has real embedding to do: the corpus grows tenfold (a forced rebuild of the same
    # corpus reuses every vector and finishes before it can be killed).
    grown = tmp_path / "grown"
    make_corpus(s.corpus_dir, grown, 10)
    env = {**_env(s), "KINKI_CORPUS_DIR": str(grown)}
    build = subprocess.Popen([sys.executable, "-m", "assistant.cli", "build-index"], env=env,
                             cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not list(s.index_dir.glob(".building-*")):
            assert build.poll() is None and time.time() < deadline, "the build never started writing"
            time.sleep(0.05)
        time.sleep(0.3)  # into the embedding stage
    finally:
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=30)
    [staging] = list(s.index_dir.glob(".building-*"))
    assert not (staging / "manifest.json").exists(), "killed too late: the build had finished"

    assert current_version(s.index_dir) == version
    answer = build_assistant(s).ask(HYDROGEN)
    assert answer.contacts[0].phone == HYDROGEN_PHONE

    again = build_index(s, get_tokenizer(), get_encoder(s.embed_threads))
    assert again["skipped"] and again["version"] == version
    assert not list(s.index_dir.glob(".building-*")), "the next build cleans what the killed one left"


def test_swap_interrupted_between_renames_is_put_back(settings: Settings, tmp_path: Path) -> None:
    # A repair build moves the live folder aside, then renames the new one in; killed between the
    # two renames, CURRENT names a folder that is not there. The next build puts the old one back.
    s = copy_index(settings, tmp_path)
    version = current_version(s.index_dir)
    os.replace(s.index_dir / version, s.index_dir / f".replaced-{version}-4242")
    again = build_index(s, get_tokenizer(), get_encoder(s.embed_threads))
    assert again["skipped"] and (s.index_dir / version / "manifest.json").exists()
    assert build_assistant(s).ask(HYDROGEN).contacts[0].phone == HYDROGEN_PHONE


# --- Chroma server down ---------------------------------------------------------------------------


class ChromaServer:
    """A real ``chroma run`` on loopback that a test can stop and start again on the same data."""

    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port = path, port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = start_chroma(self.path, self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture()
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed")
    server = ChromaServer(tmp_path / "chroma-data", free_port())
    server.start()
    yield server
    server.stop()


@pytest.mark.slow
def test_chroma_down_degrades_to_bm25_and_recovers(chroma: ChromaServer, tmp_path: Path) -> None:
    s = make_settings(tmp_path, chroma_mode="server", chroma_port=chroma.port, dense_retry_seconds=0.5)
    build_index(s, get_tokenizer(), get_encoder(s.embed_threads))
    assistant = build_assistant(s)
    client = TestClient(create_app(lambda: assistant, s))
    assert client.get("/healthz").json()["mode"] == "server"
    assert client.post("/api/chat", json={"message": HYDROGEN}).json()["degraded"] is False

    chroma.stop()
    r = client.post("/api/chat", json={"message": HYDROGEN})
    assert r.status_code == 200
    body = r.json()
    assert body["degraded"] is True and body["contacts"][0]["phone"] == HYDROGEN_PHONE  # from BM25 alone
    health = client.get("/healthz").json()
    assert health["mode"] == "degraded" and health["status"] == "degraded"
    # A reverse look-up needs no retrieval at all: not degraded.
    assert client.post("/api/chat", json={"message": "06-6966-6014はどこ？"}).json()["degraded"] is False

    chroma.start()
    time.sleep(0.6)  # past dense_retry_seconds
    assert client.get("/healthz").json()["mode"] == "server"
    body = client.post("/api/chat", json={"message": HYDROGEN}).json()
    assert body["degraded"] is False and body["contacts"][0]["phone"] == HYDROGEN_PHONE


@pytest.mark.slow
def test_starts_degraded_when_chroma_is_down_and_recovers(chroma: ChromaServer, tmp_path: Path) -> None:
    s = make_settings(tmp_path, chroma_mode="server", chroma_port=chroma.port, dense_retry_seconds=0.5)
    build_index(s, get_tokenizer(), get_encoder(s.embed_threads))
    chroma.stop()
    assistant = build_assistant(s)  # neither refuses to start nor tries to rebuild a healthy index
    assert assistant.health()["mode"] == "degraded"
    answer = assistant.ask(HYDROGEN)
    assert answer.degraded and answer.contacts[0].phone == HYDROGEN_PHONE
    chroma.start()
    time.sleep(0.6)
    assert assistant.health()["mode"] == "server"
    assert not assistant.ask(HYDROGEN).degraded


# --- Health -----------------------------------------------------------------------------------


def test_healthz_reports_index_version_counts_and_mode(settings: Settings) -> None:
    assistant = build_assistant(settings)
    health = TestClient(create_app(lambda: assistant, settings)).get("/healthz").json()
    manifest = json.loads((live_dir(settings) / "manifest.json").read_text("utf-8"))
    assert health["index_version"] == manifest["version"] == current_version(settings.index_dir)
    assert health["documents"] == len(manifest["documents"]) == 1
    assert health["chunks"] == manifest["chunks"] == len(assistant.index.chunks)
    assert health["mode"] == "embedded" and health["degraded"] is False


# --- Chroma server stalled ------------------------------------------------------------------------


def _timed(url: str, body: dict | None = None) -> tuple[float, dict]:
    """Seconds the real server took to answer, and its JSON answer (a stuck request fails after 30 s)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    start = time.monotonic()
    with urllib.request.urlopen(req, timeout=30) as r:
        answer = json.load(r)
    return time.monotonic() - start, answer


@pytest.mark.slow
def test_chroma_http_session_is_where_the_timeout_is_set(chroma: ChromaServer, tmp_path: Path) -> None:
    # chromadb 1.5.9 keeps its httpx session at client._server._session with timeout=None; the bound
    # is set there. Should an upgrade move it, this fails instead of answers hanging again.
    import httpx

    from assistant.index import chroma_client

    s = make_settings(tmp_path, chroma_mode="server", chroma_port=chroma.port, chroma_timeout_seconds=0.75)
    assert chroma_client(s)._server._session.timeout == httpx.Timeout(0.75)
    assert chroma_client(s, timeout=30)._server._session.timeout == httpx.Timeout(30)


@pytest.mark.slow
def test_chroma_stalled_answers_degraded_within_seconds_and_recovers(chroma: ChromaServer, tmp_path: Path) -> None:
    """A Chroma server that stops answering (SIGSTOP: the port stays open, nothing comes back) costs a
    second per request at most, not minutes; answers are full again once it continues."""
    retry = 0.5
    s = make_settings(tmp_path, chroma_mode="server", chroma_port=chroma.port,
                      collection=f"stall-{tmp_path.name[-12:].replace('_', '-')}")
    build_index(s, get_tokenizer(), get_encoder(s.embed_threads))
    assert chroma.process is not None
    stopped = False
    with served(s, tmp_path, KINKI_DENSE_RETRY_SECONDS=str(retry)) as url:
        try:
            _, full = _timed(f"{url}/api/chat", {"message": HYDROGEN})
            assert full["degraded"] is False and full["contacts"][0]["phone"] == HYDROGEN_PHONE

            chroma.process.send_signal(signal.SIGSTOP)
            stopped = True
            seconds, answer = _timed(f"{url}/api/chat", {"message": HYDROGEN})
            print(f"stalled Chroma: degraded chat answer in {seconds:.2f} s")
            assert answer["degraded"] is True and answer["contacts"][0]["phone"] == HYDROGEN_PHONE  # from BM25
            assert seconds < 2.0, seconds
            seconds, health = _timed(f"{url}/healthz")
            print(f"stalled Chroma: /healthz (just after a failed search) in {seconds:.2f} s")
            assert health["mode"] == "degraded" and health["status"] == "degraded" and seconds < 1.0, (seconds, health)
            time.sleep(retry + 0.2)  # due for another try: this health check asks the stalled server itself
            seconds, health = _timed(f"{url}/healthz")
            print(f"stalled Chroma: /healthz (probing it) in {seconds:.2f} s")
            assert health["mode"] == "degraded" and seconds < 1.0, (seconds, health)
            time.sleep(retry + 0.2)
            seconds, answer = _timed(f"{url}/api/chat", {"message": HYDROGEN})
            print(f"stalled Chroma: second degraded chat answer (retrying it) in {seconds:.2f} s")
            assert answer["degraded"] is True and seconds < 2.0, seconds

            chroma.process.send_signal(signal.SIGCONT)
            stopped = False
            deadline = time.monotonic() + 30
            while _timed(f"{url}/healthz")[1]["mode"] != "server":
                assert time.monotonic() < deadline, "health never came back to server mode after SIGCONT"
                time.sleep(retry)
            _, answer = _timed(f"{url}/api/chat", {"message": HYDROGEN})
            assert answer["degraded"] is False and answer["contacts"][0]["phone"] == HYDROGEN_PHONE
        finally:
            if stopped:
                chroma.process.send_signal(signal.SIGCONT)
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log, log[-3000:]
