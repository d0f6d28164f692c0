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
     ({"message": "x" * 5000}, 422), ({"message": "水素", "history": [{"role": "system", "content": "x"}]}, 422)],
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


@pytest.mark.parametrize("q", ["", "   ", "\x00", "<script>", "<script>alert(1)</script>", "!!!?", "、。・", "\u200b\t"])
def test_contacts_with_nothing_to_search_for_is_a_422_not_every_office(client: TestClient, q: str) -> None:
    r = client.get("/api/contacts", params={"q": q})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error.startswith("検索する言葉がありません") and "all=true" in error


def test_contacts_without_any_parameter_is_a_422(client: TestClient) -> None:
    r = client.get("/api/contacts")
    assert r.status_code == 422 and "all=true" in r.json()["error"]


def test_every_contact_only_when_asked_for(client: TestClient, assistant: Assistant) -> None:
    everything = client.get("/api/contacts", params={"all": "true"})
    assert everything.status_code == 200
    assert {c["phone"] for c in everything.json()} == {o.phone for o in assistant.directory.offices}
    assert client.get("/api/contacts", params={"all": "true", "q": "水素"}).status_code == 422  # one or the other
    assert client.get("/api/contacts", params={"all": "false"}).status_code == 422
    assert client.get("/api/contacts", params={"all": "yes"}).status_code == 422
    assert client.get("/api/contacts", params={"q": "水素", "all": "false"}).json()[0]["phone"] == "06-6966-6055"
    # The schema says so too: q or all=true, nothing else.
    [param] = client.get("/openapi.json").json()["paths"]["/api/contacts"]["get"]["parameters"]
    branches = param["schema"]["oneOf"]
    assert branches[0]["required"] == ["q"] and branches[1]["properties"]["all"]["enum"] == [True]


def test_contacts_with_a_parameter_given_twice_is_a_422(client: TestClient) -> None:
    # ?q=水素&q=5: which search was meant is not for the server to guess (the schema allows one q).
    r = client.get("/api/contacts", params=[("q", "水素"), ("q", "5")])
    assert r.status_code == 422 and "q" in r.json()["error"]
    assert client.get("/api/contacts", params=[("all", "true"), ("all", "true")]).status_code == 422


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("GET", "/api/chat", "POST"), ("TRACE", "/api/chat", "POST"), ("DELETE", "/api/contacts", "GET"),
    ("PUT", "/healthz", "GET"), ("PATCH", "/api/feedback", "POST"), ("OPTIONS", "/api/goals", "GET"),
    ("HEAD", "/api/support", "POST"),
])
def test_undeclared_methods_get_405_with_allow(client: TestClient, method: str, path: str, allow: str) -> None:
    r = client.request(method, path)
    assert r.status_code == 405 and r.headers["allow"] == allow
    if method != "HEAD":
        assert method in r.json()["error"] and allow in r.json()["error"]


def test_schema_declares_what_the_server_enforces(client: TestClient, assistant: Assistant) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    message = schemas["ChatRequest"]["properties"]["message"]
    assert message["minLength"] == 1 and message["maxLength"] == assistant.settings.max_message_chars
    assert schemas["FeedbackIn"]["properties"]["rating"]["enum"] == ["up", "down"]
    assert schemas["FeedbackIn"]["properties"]["comment"]["maxLength"] == assistant.settings.max_feedback_comment_chars
    assert "dx" in schemas["SupportRequest"]["properties"]["goals"]["items"]["enum"]
    # Whitespace-only and markup-only text is refused by the server and by the declared pattern alike.
    import re

    pattern = re.compile(message["pattern"])
    for text, ok in [("水素", True), ("  \u3000\n", False), ("<b></b>", False), ("<b>水素</b>", True), ("a < b", True)]:
        assert bool(pattern.search(text)) is ok, text
        r = client.post("/api/chat", json={"message": text})
        assert (r.status_code == 200) is ok, (text, r.status_code)


def test_lax_types_are_refused_as_the_schema_says(client: TestClient) -> None:
    answer = {"answer": "", "citations": [], "contacts": [], "abstained": False, "degraded": 0}
    r = client.post("/api/feedback", json={"rating": "up", "question": "水素", "answer": answer})
    assert r.status_code == 422 and "degraded" in r.json()["error"]
    assert client.post("/api/support", json={"goals": [" dx"]}).status_code == 422
    assert client.post("/api/support", json={"description": "  \x00 "}).status_code == 422


def test_contacts_say_why_each_office_matched(client: TestClient) -> None:
    r = client.get("/api/contacts", params={"q": "下請Gメン"})
    assert r.status_code == 200
    first = r.json()[0]
    # A term of the document: the line that uses it, quoted, and its page (as the Directory tab shows).
    assert first["division"] == "取引適正化推進室" and "下請" in first["why"] and first["page"] == 22
    by_number = client.get("/api/contacts", params={"q": "06-6966-6014"}).json()[0]
    assert "06-6966-6014" in by_number["why"] and by_number["page"] is None
    declared = client.get("/openapi.json").json()["components"]["schemas"]["ContactMatchOut"]["properties"]
    assert {"why", "page"} <= set(declared)
