"""Build, ask and serve with every outbound connection blocked, and prove none was attempted."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.conftest import PROJECT_ROOT

GUARD = Path(__file__).parent / "netguard"


def guarded_env(tmp_path: Path, settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": f"{GUARD}{os.pathsep}{PROJECT_ROOT}",
        "NETGUARD_LOG": str(tmp_path / "attempts.log"),
        "KINKI_INDEX_DIR": str(tmp_path / "index"),
        "KINKI_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        "KINKI_CORPUS_DIR": str(settings.corpus_dir),
    })
    return env


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_guard_really_blocks(tmp_path: Path, settings: Settings) -> None:
    code = "import socket\ntry:\n    socket.create_connection(('8.8.8.8', 53), timeout=1)\nexcept OSError as e:\n    print(e)\n"
    out = subprocess.run([sys.executable, "-c", code], env=guarded_env(tmp_path, settings),
                         capture_output=True, text=True, timeout=60)
    assert "blocked by test guard" in out.stdout
    assert "8.8.8.8" in (tmp_path / "attempts.log").read_text()


@pytest.mark.slow
def test_build_ask_and_serve_reach_no_network(tmp_path: Path, settings: Settings) -> None:
    env = guarded_env(tmp_path, settings)
    build = subprocess.run(cli("build-index"), env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    ask = subprocess.run(cli("ask", "水素の相談はどこ？", "--json"), env=env, capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert ask.returncode == 0, ask.stderr
    assert json.loads(ask.stdout)["contacts"][0]["phone"] == "06-6966-6055"

    port = free_port()
    server = subprocess.Popen(cli("serve", "--port", str(port)), env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.load(r)["status"] == "ok"
                    break
            except OSError:
                assert time.time() < deadline and server.poll() is None, "server did not start"
                time.sleep(0.5)
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/chat", method="POST",
                                     data=json.dumps({"message": "06-6966-6014はどこ？"}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert json.load(r)["contacts"][0]["division"] == "創業・経営支援課"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as r:
            assert r.status == 200
        time.sleep(2)  # give background threads (analytics, version checks) a chance to try
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = tmp_path / "attempts.log"
    assert not log.exists() or log.read_text() == "", log.read_text()
