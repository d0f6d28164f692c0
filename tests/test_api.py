"""The HTTP API through FastAPI's TestClient."""

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.index import IndexMissing
from assistant.service import Assistant


@pytest.fixture(scope="module")
def client(assistant: Assistant) -> TestClient:
    return TestClient(create_app(lambda: assistant))


def test_chat_returns_the_answer_object(client: TestClient) -> None:
    r = client.post("/api/chat", json={"message": "留学生を採用したいのですが", "history": []})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"answer", "citations", "contacts", "abstained"}
    assert body["contacts"][0]["phone"] == "06-6966-6032"
    assert body["citations"][0]["page"] == 24


def test_chat_with_history(client: TestClient) -> None:
    history = [{"role": "user", "content": "Global Startup EXPO 2025について"},
               {"role": "assistant", "content": "…"}]
    r = client.post("/api/chat", json={"message": "開催日はいつ？", "history": history})
    assert r.status_code == 200 and "9月17日" in r.json()["answer"]


def test_contacts_by_phone_division_and_topic(client: TestClient) -> None:
    assert client.get("/api/contacts", params={"q": "０６－６９６６－６０１４"}).json()[0]["division"] == "創業・経営支援課"
    assert client.get("/api/contacts", params={"q": "取引適正化推進室"}).json()[0]["phone"] == "06-6966-6037"
    assert client.get("/api/contacts", params={"q": "水素"}).json()[0]["phone"] == "06-6966-6055"


def test_healthz_and_docs(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["chunks"] > 50 and health["mode"] == "embedded"
    assert client.get("/docs").status_code == 200
    assert "/api/chat" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    ("body", "status"),
    [({"message": ""}, 422), ({"message": "   "}, 422), ({}, 422), ({"message": 3}, 422),
     ({"message": "x" * 5000}, 413), ({"message": "水素", "history": [{"role": "system", "content": "x"}]}, 422)],
)
def test_bad_requests_get_a_clear_4xx(client: TestClient, body: dict, status: int) -> None:
    r = client.post("/api/chat", json=body)
    assert r.status_code == status
    assert r.json()["error"]


def test_missing_index_is_a_503_with_the_reason() -> None:
    def missing() -> Assistant:
        raise IndexMissing("no index in /nowhere")

    r = TestClient(create_app(missing)).post("/api/chat", json={"message": "水素"})
    assert r.status_code == 503 and "build-index" in r.json()["error"]
