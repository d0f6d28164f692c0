"""The API routes added for the UI's views: feedback, goals and the support finder."""

import sqlite3
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.feedback import FeedbackStore
from assistant.service import Assistant


@pytest.fixture(scope="module")
def client(assistant: Assistant) -> TestClient:
    return TestClient(create_app(lambda: assistant))


def test_feedback_round_trip(client: TestClient, assistant: Assistant) -> None:
    answer = client.post("/api/chat", json={"message": "神戸の窓口は？"}).json()
    r = client.post("/api/feedback", json={"rating": "down", "question": "神戸の窓口は？", "answer": answer,
                                           "comment": "番号が違う", "history": ["経済安全保障について"]})
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    row = sqlite3.connect(assistant.settings.feedback_db).execute(
        "SELECT rating, comment, source, history FROM feedback WHERE id = ?", (fid,)).fetchone()
    assert row == ("down", "番号が違う", "api", '["経済安全保障について"]')


@pytest.mark.parametrize("body", [
    {"rating": "meh", "question": "q", "answer": {"answer": "a", "citations": [], "contacts": [], "abstained": False}},
    {"rating": "up", "question": "  ", "answer": {"answer": "a", "citations": [], "contacts": [], "abstained": False}},
    {"rating": "up", "question": "q"},
])
def test_bad_feedback_is_a_clear_422(client: TestClient, body: dict) -> None:
    r = client.post("/api/feedback", json=body)
    assert r.status_code == 422 and r.json()["error"]


def test_broken_store_is_a_503_and_chat_still_answers(assistant: Assistant, tmp_path) -> None:
    folder = tmp_path / "feedback.sqlite3"
    folder.mkdir()  # a folder where the database file should be: SQLite cannot open it
    broken = replace(assistant, feedback=FeedbackStore(folder))
    client = TestClient(create_app(lambda: broken))
    answer = client.post("/api/chat", json={"message": "水素の相談はどこ？"})
    assert answer.status_code == 200 and answer.json()["contacts"][0]["phone"] == "06-6966-6055"
    r = client.post("/api/feedback", json={"rating": "down", "question": "水素の相談はどこ？", "answer": answer.json()})
    assert r.status_code == 503 and "could not be saved" in r.json()["error"]


def test_goals_and_support(client: TestClient) -> None:
    goals = client.get("/api/goals").json()
    assert {"id": "pricing", "ja": "価格転嫁・取引", "en": "Pass on costs, fair trade"} in goals
    r = client.post("/api/support", json={"goals": ["pricing"], "description": "下請で単価を上げてもらえない"})
    assert r.status_code == 200
    top = r.json()[0]
    assert top["initiative"] == "中小企業の「稼ぐ力」の強化"
    assert top["contacts"][0]["phone"] == "06-6966-6037" and top["quotes"][0]["page"] == 22
    bad = client.post("/api/support", json={"goals": ["nope"]})
    assert bad.status_code == 422 and "unknown goal" in bad.json()["error"]
