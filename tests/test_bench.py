"""The benchmark command: real processes, real server, figures as Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.baselines import BASELINES
from assistant.bench import render_markdown
from assistant.cli import main
from assistant.settings import Settings


def test_the_markdown_report_marks_figures_against_their_targets() -> None:
    report = {
        "machine": {"cores": 2, "load_avg_1m": 0.5, "python": "3.11", "time": "now"},
        "build": {"build_s": 4.2, "command_s": 9.0, "peak_rss_mb": 600, "documents": 1, "chunks": 97, "sentences": 422},
        "pipelines": {"assistant": {"n": 10, "p50_ms": 20.0, "p95_ms": 60.0, "startup_s": 4.0, "peak_rss_mb": 500,
                                    "errors": 0},
                      "bm25": {"n": 10, "p50_ms": 2.0, "p95_ms": 4.0, "startup_s": 2.0, "peak_rss_mb": 250,
                               "errors": 0, "baseline_build_s": 1.0}},
        "http": None, "scale": [], "notes": [],
    }
    md = render_markdown(report)
    assert "| in-process p95 | 60.0 ms | 4.0 ms | 15.00× | ≤ 50 ms ❌ |" in md
    assert "| start-up to first answer (fresh process) | 4.0 s | 2.0 s | 2.00× | ≤ 5 s ✅ |" in md


@pytest.mark.slow
def test_bench_measures_every_figure_without_touching_the_live_index(settings: Settings, tmp_path: Path) -> None:
    live = sorted(p.name for p in settings.index_dir.iterdir())
    out_json = tmp_path / "bench.json"
    result = CliRunner().invoke(main, ["bench", "--limit", "6", "--clients", "3", "--per-client", "2",
                                       "--json", str(out_json)], obj=settings)
    assert result.exit_code == 0, result.output
    data = json.loads(out_json.read_text("utf-8"))
    a = data["pipelines"]["assistant"]
    assert a["n"] == 6 and a["errors"] == 0 and 0 < a["p50_ms"] <= a["p95_ms"]
    assert a["startup_s"] > 0 and a["peak_rss_mb"] > 100
    assert data["build"]["chunks"] > 50 and data["build"]["build_s"] > 0
    http = data["http"]
    assert http["sequential"]["n"] == 6 and http["sequential"]["errors"] == 0
    assert http["concurrent"]["n"] == 6 and http["concurrent"]["errors"] == 0
    assert "| in-process p95 |" in result.output and "concurrent clients" in result.output
    assert sorted(data["pipelines"]) == sorted(["assistant", *BASELINES])
    assert sorted(data) == ["build", "http", "machine", "notes", "pipelines", "scale", "targets"]
    assert sorted(p.name for p in settings.index_dir.iterdir()) == live
