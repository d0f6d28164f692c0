"""The command line, through click's runner, against the session's index."""

import json
from pathlib import Path

from click.testing import CliRunner

from assistant.cli import main


def test_help_lists_commands_with_examples(runner: CliRunner) -> None:
    out = runner.invoke(main, ["--help"])
    assert out.exit_code == 0 and "build-index" in out.output and "ask" in out.output
    assert "kinki-assistant ask" in runner.invoke(main, ["ask", "--help"]).output


def test_ask_prints_the_answer_and_the_number(runner: CliRunner) -> None:
    out = runner.invoke(main, ["ask", "水素の相談はどこ？"])
    assert out.exit_code == 0, out.output
    assert "06-6966-6055" in out.output


def test_ask_json_has_the_answer_object(runner: CliRunner) -> None:
    out = runner.invoke(main, ["ask", "06-6966-6014はどこ？", "--json"])
    data = json.loads(out.output)
    assert set(data) >= {"answer", "citations", "contacts", "abstained"}
    assert data["contacts"][0]["phone"] == "06-6966-6014"


def test_batch_answers_the_last_turn_with_history(runner: CliRunner, tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        json.dumps({"id": "a", "turns": ["経済安全保障について教えて", "神戸の窓口は？"]}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "b", "turns": ["明日の天気は？"]}, ensure_ascii=False) + "\n",
        "utf-8",
    )
    out = runner.invoke(main, ["ask", "--batch", str(batch), "--json"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["contacts"][0]["phone"] == "078-393-2682"
    assert rows[1]["abstained"] is True and rows[1]["contacts"] == []


def test_bad_batch_line_gets_a_clear_message(runner: CliRunner, tmp_path: Path) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_text("{not json\n", "utf-8")
    out = runner.invoke(main, ["ask", "--batch", str(batch)])
    assert out.exit_code != 0 and "bad.jsonl:1" in out.output and "Traceback" not in out.output


def test_ask_without_a_question_explains_usage(runner: CliRunner) -> None:
    out = runner.invoke(main, ["ask"])
    assert out.exit_code == 2 and "QUESTION" in out.output


def test_build_index_reports_up_to_date(runner: CliRunner) -> None:
    out = runner.invoke(main, ["build-index"])
    assert out.exit_code == 0, out.output
    assert "up to date" in out.output
