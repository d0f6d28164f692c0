"""The feedback store: ratings saved in SQLite, failures reported clearly, thumbs-down turned into drafts."""

import json
import os
import sqlite3
from pathlib import Path

import pytest

from assistant.feedback import FeedbackError, FeedbackStore, draft_cases
from assistant.service import Assistant

ANSWER = {"answer": "ご質問の内容は…", "contacts": [{"department": "産業部", "division": "中小企業課",
                                                 "phone": "06-6966-6023", "initiative": "中小企業の「稼ぐ力」の強化"}],
          "initiatives": ["中小企業の「稼ぐ力」の強化"], "abstained": False}


def test_record_and_read_back(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "sub" / "fb.sqlite3")
    up = store.record("up", "水素の相談は？", {"answer": "…"})
    down = store.record("down", "神戸の窓口は？", ANSWER, "神戸通商事務所のはず", history=["経済安全保障について"])
    assert down > up
    rows = sqlite3.connect(tmp_path / "sub" / "fb.sqlite3").execute(
        "SELECT rating, question, comment, history, answer FROM feedback ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["up", "down"]
    assert rows[1][2] == "神戸通商事務所のはず"
    assert json.loads(rows[1][3]) == ["経済安全保障について"]
    assert json.loads(rows[1][4])["contacts"][0]["phone"] == "06-6966-6023"
    assert [f.question for f in store.items("down")] == ["神戸の窓口は？"]


def test_comment_can_be_added_after_the_rating(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    fid = store.record("down", "留学生を採用したい", ANSWER)
    store.add_comment(fid, "番号が違う")
    assert store.items()[0].comment == "番号が違う"
    with pytest.raises(ValueError, match="no feedback with id"):
        store.add_comment(fid + 100, "x")


@pytest.mark.parametrize(("rating", "question", "comment", "message"), [
    ("meh", "q", "", "rating must be"), ("down", "  ", "", "question is empty"), ("up", "q", "x" * 50, "too long")])
def test_bad_input_is_refused_with_the_reason(tmp_path: Path, rating: str, question: str, comment: str,
                                              message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FeedbackStore(tmp_path / "fb.sqlite3", max_comment_chars=20).record(rating, question, {}, comment)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_store_fails_clearly(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(FeedbackError, match="could not be saved"):
            FeedbackStore(folder / "fb.sqlite3").record("down", "q", {})
    finally:
        folder.chmod(0o700)


def test_broken_store_fails_clearly(tmp_path: Path) -> None:
    garbage = tmp_path / "fb.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(FeedbackError, match="fb.sqlite3"):
        FeedbackStore(garbage).record("down", "q", {})
    # A folder where the file should be (also what a read-only mount looks like to SQLite as root).
    folder = tmp_path / "dir.sqlite3"
    folder.mkdir()
    with pytest.raises(FeedbackError, match="could not be saved"):
        FeedbackStore(folder).record("down", "q", {})


def test_reading_before_anything_was_recorded(tmp_path: Path) -> None:
    with pytest.raises(FeedbackError, match="no feedback has been recorded"):
        FeedbackStore(tmp_path / "none.sqlite3").items()


def test_thumbs_down_become_draft_cases_in_the_eval_schema(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.record("up", "水素の相談は？", {"answer": "…"})
    store.record("down", "神戸の窓口は？", ANSWER, "違う", history=["経済安全保障について"])
    store.record("down", "神戸の窓口は？", ANSWER, "やはり違う", history=["経済安全保障について"])
    store.record("down", "明日の天気は？", {"answer": "…", "abstained": True, "contacts": []})
    drafts = draft_cases(store.items())
    assert len(drafts) == 2
    first = drafts[0]
    assert first["turns"] == ["経済安全保障について", "神戸の窓口は？"]
    assert first["draft"] is True and first["category"] == "draft" and first["id"].startswith("draft-")
    assert set(first["expect"]) == {"sections", "phones", "facts", "abstain"}
    assert first["expect"]["phones"] == [] and first["expect"]["sections"] == []
    assert first["feedback"]["comments"] == ["違う", "やはり違う"]
    assert first["feedback"]["answered"]["phone"] == "06-6966-6023"
    assert drafts[1]["feedback"]["answered"]["abstained"] is True


def test_assistant_records_feedback_in_the_settings_path(assistant: Assistant) -> None:
    fid = assistant.record_feedback("down", "水素の相談は？", assistant.ask("水素の相談は？").to_dict(), "テスト")
    assistant.comment_feedback(fid, "テスト2")
    rows = sqlite3.connect(assistant.settings.feedback_db).execute(
        "SELECT rating, comment FROM feedback WHERE id = ?", (fid,)).fetchall()
    assert rows == [("down", "テスト2")]
