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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assistant.settings import PROJECT_ROOT, Settings


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answer(url: str) -> Any | None:
    """The JSON ``url`` answers with 200, or None while nothing (or an error) answers there."""
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return json.load(r) if r.status == 200 else None
    except (OSError, ValueError):  # not listening yet, or not JSON yet
        return None


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 120, log: Path | None = None,
             ready: Callable[[Any], bool] = lambda body: True) -> Any:
    """Wait until ``url`` answers JSON that ``ready`` accepts; fail with the log's tail if ``proc`` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        body = answer(url)
        if body is not None and ready(body):
            return body
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise AssertionError(f"nothing ready at {url} (exit code {proc.poll()})\n{tail}")
        time.sleep(0.3)


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120, log: Path | None = None) -> dict:
    """Wait until the server at ``url`` says its /healthz is ok (its index open, its search working)."""
    return wait_for(f"{url}/healthz", proc, timeout, log, lambda health: health.get("status") == "ok")


CHROMA = Path(sys.executable).parent / "chroma"


def chroma_heartbeat(port: int) -> str:
    """The URL a Chroma server on loopback answers on when it is up."""
    return f"http://127.0.0.1:{port}/api/v2/heartbeat"


def start_chroma(data: Path, port: int) -> subprocess.Popen[bytes]:
    """``chroma run`` over ``data`` on a loopback port, once it answers; the caller stops it."""
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    try:
        wait_for(chroma_heartbeat(port), proc, 60)
    except AssertionError:
        proc.kill()
        proc.wait(timeout=30)
        raise
    return proc


GUARD = Path(__file__).parent / "netguard"


def guarded_env(settings: Settings, tmp: Path, **env: str) -> dict[str, str]:
    """The environment of a process over the settings' index, corpus and Chroma, its feedback in ``tmp``, with
    every outbound connection blocked and logged to ``tmp``/attempts.log; ``env`` adds or overrides."""
    return {**os.environ, "PYTHONPATH": f"{GUARD}{os.pathsep}{PROJECT_ROOT}", "NETGUARD_LOG": str(tmp / "attempts.log"),
            "KINKI_INDEX_DIR": str(settings.index_dir), "KINKI_CORPUS_DIR": str(settings.corpus_dir),
            "KINKI_CHROMA_MODE": settings.chroma_mode.value, "KINKI_CHROMA_PORT": str(settings.chroma_port),
            "KINKI_COLLECTION": settings.collection, "KINKI_FEEDBACK_DB": str(tmp / "feedback.sqlite3"),
            "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", **env}


@contextlib.contextmanager
def served(settings: Settings, tmp: Path, *args: str, **env: str) -> Iterator[str]:
    """``kinki-assistant serve ARGS`` on a free loopback port over the settings' index (and Chroma server, in
    server mode), outbound network blocked; ``env`` adds or overrides environment variables.

    Yields the base URL once /healthz is ok; on exit stops the server and fails if it tried to reach anything
    but loopback. Its output is in ``tmp``/server.log.
    """
    port = free_port()
    log = tmp / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port), *args],
                                env=guarded_env(settings, tmp, **env), cwd=tmp, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc, 180, log)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    attempts = tmp / "attempts.log"
    assert not attempts.exists() or not attempts.read_text(), "tried to reach the network: " + attempts.read_text()
