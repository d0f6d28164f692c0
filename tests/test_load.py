"""A short, bounded run of the load test (scripts/load_test.py) against the real server on loopback."""

import importlib.util
import sys
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.conftest import PROJECT_ROOT


def _load_test_module():  # noqa: ANN202 - a script loaded as a module
    spec = importlib.util.spec_from_file_location("load_test", PROJECT_ROOT / "scripts" / "load_test.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_test"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_concurrent_clients_get_no_errors_and_memory_stays_flat(settings: Settings, tmp_path: Path) -> None:
    load = _load_test_module()
    port = load.free_port()
    env = {"KINKI_INDEX_DIR": str(settings.index_dir), "KINKI_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    server = load.start_server(port, tmp_path / "server.log", env)
    try:
        figures = load.run(f"http://127.0.0.1:{port}", server.pid, clients=8, duration=5, total=400,
                           sample_every=50, warmup=10)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert figures["overall"]["requests"] >= 400
    assert figures["overall"]["errors"] == 0, figures["overall"]["first_errors"]
    # Generous: a leak of even 1 kB a request over 10,000 requests would show in the full run instead.
    assert figures["memory"]["growth_after_warmup_mb"] < 60, figures["memory"]
