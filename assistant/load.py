"""HTTP load on loopback: the real server, concurrent chat clients, latency percentiles and memory.

One server starter (``kinki-assistant serve`` on a free loopback port, ready once ``/healthz``
answers) and one client loop (httpx, one keep-alive connection a client thread) serve both
``kinki-assistant bench`` (its HTTP figures) and the load test (``make load``, ``python -m
assistant.load``). The load test mixes in bad requests that must get their 4xx; phase 1 runs for
``--duration`` seconds and reports throughput and latency, phase 2 goes on to ``--requests`` in all
while the server's resident memory is sampled, to show whether it grows.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import httpx
import numpy as np

from assistant.settings import PROJECT_ROOT, Settings, get_settings

# A request as the load sends it: the body and the status it must get.
Request = tuple[bytes, int]
JSON = {"Content-Type": "application/json"}
# Bad requests mixed into the load test, with the status each must get.
BAD_REQUESTS: list[Request] = [
    (b'{"message": ""}', 422),
    (b'{"message": ', 422),
    (json.dumps({"message": "x" * 5000}).encode(), 422),
    (json.dumps({"message": "水素", "history": [{"role": "system", "content": "x"}]}).encode(), 422),
]


@dataclass(frozen=True)
class Question:
    """One question: the turns before it (as history) and the message itself."""

    history: tuple[str, ...]
    message: str

    def body(self) -> bytes:
        """The ``/api/chat`` request; earlier turns go in as history with a placeholder reply."""
        history = [m for u in self.history for m in ({"role": "user", "content": u},
                                                     {"role": "assistant", "content": "…"})]
        return json.dumps({"message": self.message, "history": history}, ensure_ascii=False).encode()


def load_questions(path: Path, limit: int | None = None) -> list[Question]:
    """Questions from a JSONL file of ``{"turns": [...]}`` lines (eval/dev.jsonl works as is)."""
    out = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            turns = json.loads(line)["turns"]
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{path}:{n}: expected a JSON object with a 'turns' list") from e
        if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            raise ValueError(f"{path}:{n}: 'turns' must be a list of non-empty strings")
        out.append(Question(tuple(turns[:-1]), turns[-1]))
    if not out:
        raise ValueError(f"{path}: no questions")
    return out[:limit] if limit else out


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile of the values, or None when there are none.

    Nearest rank (numpy's ``inverted_cdf``): always a latency some request really took; the bench's
    figures in the README were measured with it.
    """
    return float(np.percentile(values, q, method="inverted_cdf")) if values else None


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(x, nd)


def summary(latencies_ms: list[float]) -> dict[str, Any]:
    """Count, p50, p95 and mean of latencies in milliseconds."""
    return {"n": len(latencies_ms), "p50_ms": _r(percentile(latencies_ms, 50)),
            "p95_ms": _r(percentile(latencies_ms, 95)),
            "mean_ms": _r(statistics.fmean(latencies_ms)) if latencies_ms else None}


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a child process needs to see the same settings as this one."""
    env = dict(os.environ)
    for name, value in settings.model_dump(mode="json").items():
        if value is None:  # unset (no API token): "None" would read back as a value
            env.pop(f"KINKI_{name.upper()}", None)
            continue
        # Nested settings (the quote weights) go as JSON, which pydantic-settings reads back.
        env[f"KINKI_{name.upper()}"] = json.dumps(value) if isinstance(value, dict | list) else str(value)
    env.update({"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"})
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    """A running server: its address, and its process id when its memory can be read."""

    url: str
    pid: int | None

    def memory_mb(self, peak: bool = False) -> float | None:
        """Resident memory now, or its peak so far, from /proc (Linux); None when unknown."""
        key = "VmHWM:" if peak else "VmRSS:"
        if self.pid is not None:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                    if line.startswith(key):
                        return int(line.split()[1]) / 1024
        return None


def _client(url: str, timeout: float = 60) -> httpx.Client:
    """A client for plain HTTP on loopback: no proxy from the environment, and no TLS context, whose
    certificates cost some 25 ms of CPU a client, taken from the server on a 2-core machine."""
    return httpx.Client(base_url=url, timeout=timeout, trust_env=False, verify=False)


@contextlib.contextmanager
def serve(settings: Settings, timeout: float = 180) -> Iterator[Server]:
    """``kinki-assistant serve`` with these settings on a free loopback port, stopped on exit.

    Yields once ``/healthz`` answers 200, which opens the index; a server that exits or answers
    anything else fails with the end of its log.
    """
    url = f"http://127.0.0.1:{free_port()}"
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1",
                                 "--port", url.rsplit(":", 1)[1]], env=child_env(settings), cwd=PROJECT_ROOT,
                                stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            deadline, health = time.monotonic() + timeout, None
            with _client(url, timeout=30) as http:
                while health is None and proc.poll() is None and time.monotonic() < deadline:
                    with contextlib.suppress(httpx.TransportError):
                        health = http.get("/healthz")
                    time.sleep(0 if health else 0.1)
            if health is None or health.status_code != 200:
                why = (f"exited with {proc.returncode}" if proc.poll() is not None else
                       f"did not answer in {timeout:.0f} s" if health is None else
                       f"is not healthy ({health.status_code}: {health.text[:300]})")
                log.seek(0)
                raise RuntimeError(f"the server {why}; its log ends:\n{log.read()[-1500:]}")
            yield Server(url, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@dataclass
class Tally:
    """What the clients saw, shared between their threads: every request's latency and any errors."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, error: str | None) -> int:
        """Record one request; returns how many there have been."""
        with self.lock:
            self.latencies_ms.append(ms)
            if error:
                self.errors.append(error)
            return len(self.latencies_ms)


def _post(http: httpx.Client, body: bytes, expected: int) -> str | None:
    """One chat request; what was wrong with the response, or None."""
    try:
        response = http.post("/api/chat", content=body, headers=JSON)
        payload = response.json()
    except (httpx.HTTPError, ValueError) as e:
        return f"{type(e).__name__}: {e}"
    if response.status_code != expected:
        return f"status {response.status_code} (expected {expected}): {response.text[:200]!r}"
    key = "answer" if expected == 200 else "error"
    return None if isinstance(payload, dict) and key in payload else f"no {key!r} in the response"


def drive(url: str, streams: list[Iterable[Request]], tally: Tally, stop: threading.Event | None = None,
          on_request: Callable[[int], None] = lambda _: None) -> float:
    """One client thread per stream, each on its own keep-alive connection, until its stream ends or
    ``stop`` is set; returns the seconds it took."""
    stop = stop or threading.Event()

    def client(requests: Iterable[Request]) -> None:
        with _client(url) as http:
            for body, expected in requests:
                if stop.is_set():
                    break
                t = time.perf_counter()
                error = _post(http, body, expected)
                on_request(tally.add((time.perf_counter() - t) * 1000, error))

    threads = [threading.Thread(target=client, args=(s,), daemon=True) for s in streams]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t0


def measure_http(settings: Settings, questions: list[Question], clients: int, per_client: int) -> dict[str, Any]:
    """The bench's HTTP figures: start-up to first answer, sequential latency, then ``clients``
    concurrent clients asking ``per_client`` questions each, against one fresh server."""
    bodies = [(q.body(), 200) for q in questions]
    t0 = time.perf_counter()
    with serve(settings) as server:
        drive(server.url, [bodies[:1]], Tally())
        startup = time.perf_counter() - t0
        seq = Tally()
        drive(server.url, [bodies], seq)
        conc = Tally()
        streams = [[bodies[(n * per_client + i) % len(bodies)] for i in range(per_client)] for n in range(clients)]
        elapsed = drive(server.url, streams, conc)
        peak = server.memory_mb(peak=True)
    return {
        "startup_s": round(startup, 2),
        "sequential": {**summary(seq.latencies_ms), "errors": len(seq.errors)},
        "concurrent": {**summary(conc.latencies_ms), "clients": clients, "errors": len(conc.errors),
                       "requests_per_s": _r(len(conc.latencies_ms) / elapsed if elapsed else None)},
        "peak_rss_mb": None if peak is None else round(peak),
    }


def load_stream(turns: list[bytes], seed: int) -> Iterator[Request]:
    """Endless requests for the load test: the turns in a stride, one request in every 20 a bad
    one; clients start at different seeds so they do not ask in step."""
    for n in itertools.count(seed):
        if n % 20 == 19:
            yield BAD_REQUESTS[(n // 20) % len(BAD_REQUESTS)]
        else:
            yield turns[(n * 7) % len(turns)], 200


def run_load(server: Server, questions: list[Question], clients: int, duration: float, total: int,
             sample_every: int, warmup: int = 20) -> dict[str, Any]:
    """Both phases of the load test against a running server; returns the figures.

    Every turn of the questions is asked on its own, without history.
    """
    turns = [Question((), t).body() for q in questions for t in (*q.history, q.message)]
    samples: list[tuple[int, float]] = []
    sample_lock = threading.Lock()

    def sample(n: int) -> None:
        if n % sample_every == 0 and (mb := server.memory_mb()) is not None:
            with sample_lock:
                samples.append((n, mb))

    warm = Tally()  # the first requests fill caches: timed apart, not part of the figures
    drive(server.url, [itertools.islice(load_stream(turns, 0), warmup)], warm)
    sample(0)
    tally, stop = Tally(), threading.Event()
    streams = [load_stream(turns, 1000 * i) for i in range(clients)]
    runner = threading.Thread(target=drive, args=(server.url, streams, tally, stop, sample), daemon=True)
    t0 = time.perf_counter()
    runner.start()
    time.sleep(duration)
    with tally.lock:
        timed, timed_errors = list(tally.latencies_ms), len(tally.errors)
    seconds = time.perf_counter() - t0
    while len(tally.latencies_ms) < total and runner.is_alive():
        time.sleep(0.2)
    stop.set()
    runner.join(timeout=120)
    elapsed = time.perf_counter() - t0
    count = len(tally.latencies_ms)
    if (mb := server.memory_mb()) is not None:
        samples.append((count, mb))
    # Memory is judged after the first tenth of the run: caches filling during warm-up are not growth.
    settled = [mb for n, mb in samples if n >= total // 10] or [mb for _, mb in samples]
    return {
        "clients": clients,
        "warmup": {"requests": warmup, "first_ms": _r(warm.latencies_ms[0]) if warm.latencies_ms else None},
        "phase1": {
            "seconds": round(seconds, 1),
            "requests": len(timed),
            "errors": timed_errors,
            "throughput_rps": round(len(timed) / seconds, 1),
            "p50_ms": _r(percentile(timed, 50)),
            "p95_ms": _r(percentile(timed, 95)),
            "p99_ms": _r(percentile(timed, 99)),
            "max_ms": _r(max(timed)) if timed else None,
        },
        "overall": {
            "requests": count,
            "seconds": round(elapsed, 1),
            "errors": len(tally.errors),
            "p95_ms": _r(percentile(tally.latencies_ms, 95)),
            "first_errors": tally.errors[:5],
        },
        "memory": {
            "rss_mb_start": _r(samples[0][1]) if samples else None,
            "rss_mb_after_warmup": _r(settled[0]) if settled else None,
            "rss_mb_end": _r(samples[-1][1]) if samples else None,
            "rss_mb_max": _r(max(mb for _, mb in samples)) if samples else None,
            "growth_after_warmup_mb": _r(settled[-1] - settled[0]) if settled else None,
            "samples": [(n, round(mb, 1)) for n, mb in samples],
        },
    }


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--url", help="Target a running server instead of starting one.")
@click.option("--pid", type=int, help="The running server's process id, to sample its memory (with --url).")
@click.option("--clients", default=16, show_default=True, type=click.IntRange(1, 256),
              help="Concurrent clients, each on its own keep-alive connection.")
@click.option("--duration", default=60.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds of phase 1 (throughput and latency).")
@click.option("--requests", "total", default=10_000, show_default=True, type=click.IntRange(1),
              help="Requests in all (phase 2 runs until then, sampling memory).")
@click.option("--warmup", default=20, show_default=True, type=click.IntRange(0),
              help="Sequential requests before measuring.")
@click.option("--sample-every", default=500, show_default=True, type=click.IntRange(1),
              help="Sample the server's memory every N requests.")
@click.option("--max-growth-mb", default=50.0, show_default=True,
              help="Fail when memory grows more than this after warm-up.")
@click.option("--questions", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="JSONL of {\"turns\": [...]}; every turn is asked on its own (default: eval/dev.jsonl).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the figures to this file (make load writes docs/load-test.json).")
def main(url: str | None, pid: int | None, clients: int, duration: float, total: int, warmup: int,
         sample_every: int, max_growth_mb: float, questions: Path | None, json_path: Path | None) -> None:
    """Bounded load test: concurrent chat clients against the real server on loopback.

    Starts `kinki-assistant serve` on a free loopback port (or targets --url). One request in
    twenty is a bad one that must get its 4xx. Exits non-zero on any error, or when the server's
    memory grows by more than --max-growth-mb after warm-up.

    \b
    Examples:
      python -m assistant.load                                   # 16 clients, 60 s, 10,000 requests
      python -m assistant.load --duration 5 --requests 400 --clients 4   # a quick check
      python -m assistant.load --url http://127.0.0.1:7860 --pid 1234
    """
    settings = get_settings()
    qs = load_questions(questions or settings.eval_dir / "dev.jsonl")
    with contextlib.ExitStack() as stack:
        try:
            server = Server(url, pid) if url else stack.enter_context(serve(settings))
        except RuntimeError as e:
            raise click.ClickException(str(e)) from e
        figures = run_load(server, qs, clients, duration, total, sample_every, warmup)
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    click.echo(text)
    if json_path:
        json_path.write_text(text + "\n", "utf-8")
    growth = figures["memory"]["growth_after_warmup_mb"]
    ok = figures["overall"]["errors"] == 0 and (growth is None or growth <= max_growth_mb)
    click.echo("PASS" if ok else "FAIL", err=True)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
