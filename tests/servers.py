"""Helpers for tests that start a real server process on a loopback port."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


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
