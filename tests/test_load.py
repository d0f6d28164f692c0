"""The HTTP load tool (assistant/load.py): its request mix, its percentiles, and a short bounded run
against the real server on loopback."""

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.load import (
    BAD_REQUESTS,
    Question,
    load_questions,
    load_stream,
    main,
    percentile,
    run_load,
    serve,
)
from assistant.settings import Settings
from tests.conftest import PROJECT_ROOT


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0 and percentile(values, 95) == 95.0 and percentile(values, 99) == 99.0
    assert percentile([7.0], 95) == 7.0 and percentile([], 95) is None
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0  # a latency some request took, never a mean of two


def test_questions_come_from_the_eval_set_with_earlier_turns_as_history(tmp_path: Path) -> None:
    qs = load_questions(PROJECT_ROOT / "eval" / "dev.jsonl")
    assert len(qs) >= 200 and any(q.history for q in qs)
    assert len(load_questions(PROJECT_ROOT / "eval" / "dev.jsonl", limit=5)) == 5
    body = json.loads(Question(("水素",), "窓口は？").body())
    assert body == {"message": "窓口は？", "history": [{"role": "user", "content": "水素"},
                                                     {"role": "assistant", "content": "…"}]}
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"turns": []}\n', "utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_questions(bad)


def test_the_load_mixes_one_bad_request_in_twenty_and_clients_do_not_ask_in_step() -> None:
    turns = [Question((), t).body() for t in ("a", "b", "c")]
    first = list(itertools.islice(load_stream(turns, 0), 40))
    assert [status for _, status in first].count(422) == 2
    assert all(r in BAD_REQUESTS for r in first if r[1] != 200)
    assert all(body in turns for body, status in first if status == 200)
    assert list(itertools.islice(load_stream(turns, 1000), 5)) != first[:5]


def test_the_command_line_reads_well() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "--duration" in result.output and "--requests" in result.output and "python -m assistant.load" in result.output


@pytest.mark.slow
def test_concurrent_clients_get_no_errors_and_memory_stays_flat(settings: Settings) -> None:
    questions = load_questions(PROJECT_ROOT / "eval" / "dev.jsonl")
    with serve(settings) as server:
        figures = run_load(server, questions, clients=8, duration=5, total=400, sample_every=50, warmup=10)
    assert figures["overall"]["requests"] >= 400
    assert figures["overall"]["errors"] == 0, figures["overall"]["first_errors"]
    assert figures["phase1"]["p50_ms"] <= figures["phase1"]["p95_ms"] <= figures["phase1"]["max_ms"]
    # Generous: a leak of even 1 kB a request over 10,000 requests would show in the full run instead.
    assert figures["memory"]["growth_after_warmup_mb"] < 60, figures["memory"]
    # The same keys as docs/load-test.json, which the README's figures come from.
    kept = json.loads((PROJECT_ROOT / "docs" / "load-test.json").read_text("utf-8"))
    assert {k: sorted(v) if isinstance(v, dict) else None for k, v in figures.items()} == \
           {k: sorted(v) if isinstance(v, dict) else None for k, v in kept.items()}
