"""Helpers for tests that start a real server process on a loopback port."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from assistant.settings import PROJECT_ROOT, Settings


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120, log: Path | None = None) -> dict:
    """Wait until ``url``/healthz answers ok; fail with the server's log if it dies or times out."""
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                health = json.load(r)
                if health.get("status") == "ok":
                    return health
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise AssertionError(f"server at {url} did not start\n{tail}")
        time.sleep(0.5)


GUARD = Path(__file__).parent / "netguard"


@contextlib.contextmanager
def served(settings: Settings, tmp: Path, **env: str) -> Iterator[str]:
    """``kinki-assistant serve`` on a free loopback port over the settings' index, outbound network blocked.

    Yields the base URL; on exit stops the server and fails if it tried to reach anything but loopback.
    """
    port = free_port()
    full = {**os.environ, "PYTHONPATH": f"{GUARD}{os.pathsep}{PROJECT_ROOT}", "NETGUARD_LOG": str(tmp / "attempts.log"),
            "KINKI_INDEX_DIR": str(settings.index_dir), "KINKI_CORPUS_DIR": str(settings.corpus_dir),
            "KINKI_FEEDBACK_DB": str(tmp / "feedback.sqlite3"), "GRADIO_ANALYTICS_ENABLED": "False",
            "HF_HUB_OFFLINE": "1", **env}
    log = tmp / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], env=full,
                                cwd=tmp, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc, 120, log)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    attempts = tmp / "attempts.log"
    assert not attempts.exists() or not attempts.read_text(), "tried to reach the network: " + attempts.read_text()
