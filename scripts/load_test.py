#!/usr/bin/env python3
"""Bounded load test on loopback: concurrent chat clients against the real server.

Starts ``kinki-assistant serve`` on a free loopback port (or targets ``--url``), then runs
``--clients`` clients that post questions from the regression set, with a few bad requests mixed
in that must get their 4xx. Phase 1 runs for ``--duration`` seconds and reports throughput and
latency percentiles; phase 2 continues until ``--requests`` requests in all, sampling the server's
resident memory to show whether it grows. Exits non-zero on any error or on memory growth beyond
``--max-growth-mb``.

    .venv/bin/python scripts/load_test.py                      # 16 clients, 60 s, 10,000 requests
    .venv/bin/python scripts/load_test.py --duration 5 --requests 400 --clients 4   # quick check
    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:7860 --pid 1234
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Bad requests mixed into the load, with the status each must get.
BAD_REQUESTS: list[tuple[bytes, int]] = [
    (b'{"message": ""}', 422),
    (b'{"message": ', 422),
    (json.dumps({"message": "x" * 5000}).encode(), 422),
    (json.dumps({"message": "水素", "history": [{"role": "system", "content": "x"}]}).encode(), 422),
]


@dataclass
class Tally:
    """What the clients saw, shared between their threads."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None) -> int:
        with self.lock:
            self.count += 1
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)
            return self.count


def questions() -> list[str]:
    """Every turn of the regression set, as the questions to ask."""
    lines = (ROOT / "eval" / "dev.jsonl").read_text("utf-8").splitlines()
    return [t for line in lines if line.strip() for t in json.loads(line)["turns"]]


def requests_stream(seed: int) -> Iterator[tuple[bytes, int]]:
    """Endless (body, expected status): questions, with one bad request in every 20."""
    qs = questions()
    for n in itertools.count(seed):
        if n % 20 == 19:
            yield BAD_REQUESTS[(n // 20) % len(BAD_REQUESTS)]
        else:
            yield json.dumps({"message": qs[(n * 7) % len(qs)], "history": []}, ensure_ascii=False).encode(), 200


def client(url: str, tally: Tally, stop: threading.Event, seed: int, on_request: Any) -> None:
    """One client: a keep-alive connection posting until ``stop`` is set."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    for body, expected in requests_stream(seed):
        if stop.is_set():
            break
        t0 = time.perf_counter()
        error = None
        try:
            conn.request("POST", "/api/chat", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            payload = response.read()
            if response.status != expected:
                error = f"status {response.status} (expected {expected}): {payload[:200]!r}"
            elif expected == 200 and "answer" not in json.loads(payload):
                error = "no answer in the response"
            elif expected != 200 and "error" not in json.loads(payload):
                error = "no error message in the response"
        except (OSError, http.client.HTTPException, ValueError) as e:
            error = f"{type(e).__name__}: {e}"
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        on_request(tally.add(time.perf_counter() - t0, error))
    conn.close()


def client_once(url: str, body: bytes, tally: Tally) -> None:
    """One request on a fresh connection (warm-up)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    t0 = time.perf_counter()
    conn.request("POST", "/api/chat", body=body, headers={"Content-Type": "application/json"})
    conn.getresponse().read()
    conn.close()
    tally.add(time.perf_counter() - t0, None)


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``kinki-assistant serve`` on loopback, once /healthz answers (``env`` adds KINKI_* settings)."""
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", **(env or {})}
    log = log_path.open("wb")
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port",
                               str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode}; see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            health = json.loads(conn.getresponse().read())
            conn.close()
            if health.get("status") in ("ok", "degraded"):
                return server
            raise SystemExit(f"server is not healthy: {health}")
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"server did not start in 120 s; see {log_path}")


def run(url: str, pid: int | None, clients: int, duration: float, total: int, sample_every: int,
        warmup: int = 20) -> dict[str, Any]:
    """Both phases against a running server; returns the figures."""
    tally = Tally()
    stop = threading.Event()
    samples: list[tuple[int, float]] = []
    sample_lock = threading.Lock()

    def on_request(n: int) -> None:
        if pid and n % sample_every == 0:
            with sample_lock:
                samples.append((n, rss_mb(pid)))

    warm = Tally()
    for body, _ in itertools.islice(requests_stream(0), warmup):  # first requests fill caches: not measured
        client_once(url, body, warm)
    if pid:
        samples.append((0, rss_mb(pid)))
    threads = [threading.Thread(target=client, args=(url, tally, stop, 1000 * i, on_request), daemon=True)
               for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(duration)
    with tally.lock:
        timed = {"requests": tally.count, "seconds": round(time.perf_counter() - t0, 1),
                 "latencies": list(tally.latencies), "errors": len(tally.errors)}
    while tally.count < total and not stop.is_set():
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.perf_counter() - t0
    if pid:
        samples.append((tally.count, rss_mb(pid)))
    lat_ms = [s * 1000 for s in timed["latencies"]]
    all_ms = [s * 1000 for s in tally.latencies]
    # Memory is judged after the first tenth of the run: caches filling during warm-up are not growth.
    settled = [mb for n, mb in samples if n >= total // 10] or [mb for _, mb in samples]
    return {
        "clients": clients,
        "warmup": {"requests": warmup, "first_ms": round(warm.latencies[0] * 1000, 1) if warm.latencies else None},
        "phase1": {
            "seconds": timed["seconds"],
            "requests": timed["requests"],
            "errors": timed["errors"],
            "throughput_rps": round(timed["requests"] / timed["seconds"], 1),
            "p50_ms": round(statistics.median(lat_ms), 1) if lat_ms else None,
            "p95_ms": round(percentile(lat_ms, 0.95), 1),
            "p99_ms": round(percentile(lat_ms, 0.99), 1),
            "max_ms": round(max(lat_ms), 1) if lat_ms else None,
        },
        "overall": {
            "requests": tally.count,
            "seconds": round(elapsed, 1),
            "errors": len(tally.errors),
            "p95_ms": round(percentile(all_ms, 0.95), 1),
            "first_errors": tally.errors[:5],
        },
        "memory": {
            "rss_mb_start": round(samples[0][1], 1) if samples else None,
            "rss_mb_after_warmup": round(settled[0], 1) if settled else None,
            "rss_mb_end": round(samples[-1][1], 1) if samples else None,
            "rss_mb_max": round(max(mb for _, mb in samples), 1) if samples else None,
            "growth_after_warmup_mb": round(settled[-1] - settled[0], 1) if settled else None,
            "samples": [(n, round(mb, 1)) for n, mb in samples],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="Target a running server instead of starting one.")
    parser.add_argument("--pid", type=int, help="Server process id, to sample its memory (with --url).")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="Seconds of phase 1.")
    parser.add_argument("--requests", type=int, default=10_000, help="Requests in all (phase 2 runs until then).")
    parser.add_argument("--warmup", type=int, default=20, help="Sequential requests before measuring.")
    parser.add_argument("--sample-every", type=int, default=500, help="Sample memory every N requests.")
    parser.add_argument("--max-growth-mb", type=float, default=50.0, help="Fail when memory grows more after warm-up.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args(argv)

    server = None
    url, pid = args.url, args.pid
    if url is None:
        port = free_port()
        server = start_server(port, Path(os.environ.get("TMPDIR", "/tmp")) / f"load-test-server-{port}.log")
        url, pid = f"http://127.0.0.1:{port}", server.pid
    try:
        figures = run(url, pid, args.clients, args.duration, args.requests, args.sample_every, args.warmup)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps({k: v for k, v in figures.items()}, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", "utf-8")
    growth = figures["memory"]["growth_after_warmup_mb"]
    ok = figures["overall"]["errors"] == 0 and (growth is None or growth <= args.max_growth_mb)
    print("PASS" if ok else "FAIL", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
