"""The OpenAI-compatible API driven by the official ``openai`` client against the real server, and in-process."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from fastapi.testclient import TestClient
from openai import OpenAI

from assistant.api import create_app
from assistant.index import IndexMissing
from assistant.openai_api import MODEL_ID
from assistant.service import Assistant
from assistant.settings import Settings
from tests.conftest import CORPUS, make_settings
from tests.servers import served

TOKEN = "s3cret-token"
HYDROGEN = "水素の取組の問い合わせ先は？"
OUT_OF_SCOPE = "最低賃金はいくらですか？"
PHONE = re.compile(r"\d{2,4}[-‐－]\d{2,4}[-‐－]\d{3,4}")
JSON = {"Content-Type": "application/json"}


def listed_numbers() -> set[str]:
    return {o["phone"] for o in json.loads((CORPUS / "contacts.json").read_text("utf-8"))["offices"]}


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(settings, tmp_path_factory.mktemp("openai"), KINKI_API_TOKEN=TOKEN) as url:
        yield url


@pytest.fixture(scope="module")
def client(server: str) -> OpenAI:
    return OpenAI(base_url=f"{server}/v1", api_key=TOKEN, max_retries=0, timeout=60)


@pytest.mark.slow
def test_models_lists_the_assistant(client: OpenAI) -> None:
    assert [m.id for m in client.models.list()] == [MODEL_ID]
    assert client.models.retrieve(MODEL_ID).id == MODEL_ID


@pytest.mark.slow
def test_hydrogen_answer_names_the_office(client: OpenAI) -> None:
    reply = client.chat.completions.create(model=MODEL_ID, messages=[
        {"role": "system", "content": "You are a helpful assistant."},  # ignored
        {"role": "user", "content": HYDROGEN}])
    content = reply.choices[0].message.content or ""
    assert "06-6966-6055" in content and "ページ" in content  # the office and the cited page
    assert reply.choices[0].finish_reason == "stop"
    kinki = reply.model_extra["kinki"]
    assert kinki["contacts"][0]["phone"] == "06-6966-6055" and kinki["citations"] and not kinki["abstained"]
    assert set(PHONE.findall(content)) <= listed_numbers()


@pytest.mark.slow
def test_streamed_answer_matches_and_carries_the_answer_object(client: OpenAI) -> None:
    stream = client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": HYDROGEN}],
                                            stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "06-6966-6055" in content
    final = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    # The same answer, its lines as Markdown paragraphs.
    assert len(final) == 1 and final[0].model_extra["kinki"]["answer"].replace("\n", "\n\n") == content
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == len(content)


@pytest.mark.slow
def test_follow_up_uses_the_earlier_turns(client: OpenAI) -> None:
    first = client.chat.completions.create(model=MODEL_ID, messages=[
        {"role": "user", "content": "Global Startup EXPO 2025について"}]).choices[0].message.content
    reply = client.chat.completions.create(model=MODEL_ID, messages=[
        {"role": "user", "content": "Global Startup EXPO 2025について"},
        {"role": "assistant", "content": first}, {"role": "user", "content": "開催日はいつ？"}])
    assert "9月17日" in (reply.choices[0].message.content or "")


@pytest.mark.slow
def test_out_of_scope_question_gets_no_number(client: OpenAI) -> None:
    for stream in (False, True):
        messages = [{"role": "user", "content": OUT_OF_SCOPE}]
        if stream:
            content = "".join(c.choices[0].delta.content or "" for c in
                              client.chat.completions.create(model=MODEL_ID, messages=messages, stream=True) if c.choices)
        else:
            reply = client.chat.completions.create(model=MODEL_ID, messages=messages)
            content = reply.choices[0].message.content or ""
            assert reply.model_extra["kinki"]["abstained"] is True
        assert content and not PHONE.search(content) and not re.search(r"\d{4}-\d{4}", content)


@pytest.mark.slow
@pytest.mark.parametrize(("messages", "param"), [
    ([], "messages"),
    ([{"role": "system", "content": "Be brief."}, {"role": "assistant", "content": "…"}], "messages"),  # no question
    ([{"role": "tool", "content": "x"}, {"role": "user", "content": HYDROGEN}], "messages[0].role"),
])
def test_bad_requests_raise_bad_request_error(client: OpenAI, messages: list, param: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=MODEL_ID, messages=messages)
    error = raised.value.body
    assert raised.value.status_code == 400 and error["type"] == "invalid_request_error" and error["param"] == param
    assert error["message"] and "code" in error


@pytest.mark.slow
def test_refused_message_unknown_model_and_wrong_key(client: OpenAI, server: str) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as raised:  # same input limits as /api/chat
        client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": "<b> </b>"}])
    assert raised.value.body["type"] == "invalid_request_error"
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": HYDROGEN}])
    assert missing.value.body["code"] == "model_not_found"
    for key in ("wrong", ""):
        wrong = OpenAI(base_url=f"{server}/v1", api_key=key or "x", max_retries=0,
                       default_headers={} if key else {"Authorization": ""})
        with pytest.raises(openai.AuthenticationError) as denied:
            wrong.models.list()
        assert denied.value.status_code == 401 and denied.value.body["code"] == "invalid_api_key"


# In-process: shapes of the responses and errors, with no token configured.

@pytest.fixture(scope="module")
def app_client(assistant: Assistant) -> TestClient:
    return TestClient(create_app(lambda: assistant, assistant.settings))


def test_any_key_works_without_a_token(app_client: TestClient) -> None:
    r = app_client.get("/v1/models", headers={"Authorization": "Bearer anything"})
    assert r.status_code == 200 and r.json()["data"][0]["id"] == MODEL_ID
    assert app_client.get("/v1/models").status_code == 200


def test_stream_is_server_sent_events_ending_in_done(app_client: TestClient) -> None:
    r = app_client.post("/v1/chat/completions", json={"model": MODEL_ID, "stream": True,
                                                       "messages": [{"role": "user", "content": [
                                                           {"type": "text", "text": HYDROGEN}]}]})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = [line.removeprefix("data: ") for line in r.text.split("\n\n") if line]
    assert events[-1] == "[DONE]"
    bodies = [json.loads(e) for e in events[:-1]]
    assert bodies[0]["choices"][0]["delta"]["role"] == "assistant"
    assert bodies[-1]["kinki"]["contacts"][0]["phone"] == "06-6966-6055"


@pytest.mark.parametrize(("body", "status", "param"), [
    ({"model": MODEL_ID}, 400, "messages"),
    ({"model": MODEL_ID, "messages": [{"content": "x"}]}, 400, "messages[0].role"),
    ({"model": MODEL_ID, "messages": "水素"}, 400, "messages"),
    ({"model": MODEL_ID, "messages": [{"role": "user"}]}, 400, "messages[0].content"),
    ({"model": MODEL_ID, "messages": [{"role": "user", "content": None}]}, 400, "messages[0].content"),
    ({"model": MODEL_ID, "messages": [{"role": "user", "content": [{"type": "text", "text": "水素"}] * 2}]}, 400,
     "messages[0].content"),
    ({"model": MODEL_ID, "messages": [{"role": "user", "content": HYDROGEN}], "stream": "true"}, 400, "stream"),
    # Too long or empty: 422 like /api/chat, for every user message (the schema cannot single out the last).
    ({"model": MODEL_ID, "messages": [{"role": "user", "content": "x" * 9000}]}, 422, "messages[0].content"),
    ({"model": MODEL_ID, "messages": [{"role": "user", "content": [{"type": "text", "text": "x" * 2001}]}]}, 422,
     "messages[0].content"),
    ({"model": MODEL_ID, "messages": [{"role": "user", "content": "<b> </b>"}, {"role": "assistant", "content": "…"},
                                      {"role": "user", "content": HYDROGEN}]}, 422, "messages[0].content"),
])
def test_errors_are_openai_error_objects(app_client: TestClient, body: dict, status: int, param: str) -> None:
    r = app_client.post("/v1/chat/completions", json=body)
    assert r.status_code == status
    error = r.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["param"] == param
    if status == 422:
        assert error["type"] == "invalid_request_error" and error["code"] in ("message_too_long", "invalid_message")


def test_the_question_is_the_last_user_message(app_client: TestClient) -> None:
    # A conversation may end with the assistant's message (a reply to continue): the schema cannot
    # forbid it, so it is answered, its last user message being the question.
    r = app_client.post("/v1/chat/completions", json={"model": MODEL_ID, "messages": [
        {"role": "user", "content": HYDROGEN}, {"role": "assistant", "content": "…"},
        {"role": "system", "content": "Be brief."}]})
    assert r.status_code == 200, r.text
    assert r.json()["kinki"]["contacts"][0]["phone"] == "06-6966-6055"


def test_invalid_json_unknown_paths_and_the_old_api_unchanged(app_client: TestClient) -> None:
    r = app_client.post("/v1/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    assert app_client.get("/v1/embeddings").json()["error"]["code"] == "unknown_url"
    assert app_client.get("/v1/embeddings").status_code == 404
    for method, path, allow in (("POST", "/v1/models", "GET"), ("TRACE", "/v1/models/gpt-4o", "GET"),
                                ("GET", "/v1/chat/completions", "POST")):
        r = app_client.request(method, path)  # undeclared methods: 405 with Allow, in OpenAI's shape
        assert r.status_code == 405 and r.headers["allow"] == allow and r.json()["error"]["code"] == "method_not_allowed"
    assert app_client.get("/v1/models/gpt-4o").status_code == 404
    assert app_client.get("/v1/models/gpt-4o").json()["error"]["code"] == "model_not_found"
    assert app_client.get(f"/v1/models/{MODEL_ID}").json()["id"] == MODEL_ID
    too_big = app_client.post("/v1/chat/completions", content=b"{" + b" " * 2_000_000 + b"}", headers=JSON)
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "request_too_large"
    old = app_client.post("/api/chat", json={"message": ""})
    assert old.status_code == 422 and isinstance(old.json()["error"], str)


def test_missing_index_is_a_503_server_error(tmp_path: Path) -> None:
    def missing() -> Assistant:
        raise IndexMissing("no index in /nowhere")

    r = TestClient(create_app(missing, make_settings(tmp_path))).post(
        "/v1/chat/completions", json={"model": MODEL_ID, "messages": [{"role": "user", "content": HYDROGEN}]})
    assert r.status_code == 503 and r.json()["error"]["type"] == "server_error"
    assert "build-index" in r.json()["error"]["message"]
