"""`kinki-assistant feedback export` through click's runner."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.feedback import FeedbackStore
from tests.conftest import SettingsRunner, make_settings


@pytest.fixture()
def runner_for(tmp_path: Path) -> Callable[[Path], CliRunner]:
    def make(db: Path) -> CliRunner:
        return SettingsRunner(make_settings(tmp_path, feedback_db=db))
    return make


def test_export_writes_thumbs_down_as_drafts(runner_for: Callable[[Path], CliRunner], tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    store = FeedbackStore(db)
    store.record("up", "水素の相談は？", {"answer": "…"})
    store.record("down", "神戸の窓口は？", {"answer": "…", "contacts": [{"phone": "06-6966-6031"}]}, "神戸通商事務所のはず")
    runner = runner_for(db)

    out = runner.invoke(main, ["feedback", "export"])
    assert out.exit_code == 0, out.output
    drafts = [json.loads(line) for line in out.stdout.splitlines()]
    assert [d["turns"] for d in drafts] == [["神戸の窓口は？"]]
    assert drafts[0]["draft"] is True and "expect" in drafts[0]
    assert "1 draft case(s) from 1 thumbs-down" in out.stderr

    target = tmp_path / "out" / "drafts.jsonl"
    out = runner.invoke(main, ["feedback", "export", "--out", str(target)])
    assert out.exit_code == 0 and out.stdout == ""
    assert json.loads(target.read_text("utf-8").splitlines()[0])["feedback"]["comments"] == ["神戸通商事務所のはず"]


def test_export_without_feedback_says_so(runner_for: Callable[[Path], CliRunner], tmp_path: Path) -> None:
    out = runner_for(tmp_path / "none.sqlite3").invoke(main, ["feedback", "export"])
    assert out.exit_code == 0 and "No feedback recorded yet" in out.stderr and out.stdout == ""


def test_export_from_a_broken_database_is_a_clear_error(runner_for: Callable[[Path], CliRunner], tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    db.write_bytes(b"not sqlite" * 100)
    out = runner_for(db).invoke(main, ["feedback", "export"])
    assert out.exit_code == 1 and "fb.sqlite3" in out.output and "Traceback" not in out.output


def test_help_has_examples(runner_for: Callable[[Path], CliRunner], tmp_path: Path) -> None:
    out = runner_for(tmp_path / "x.sqlite3").invoke(main, ["feedback", "export", "--help"])
    assert "kinki-assistant feedback export --out" in out.output
