"""ASGI middleware that refuses a request before any route sees it: an undeclared method, a body too large."""

from __future__ import annotations

import re

from fastapi import FastAPI
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from assistant.api_errors import problem_at

_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


class MethodGuard:
    """ASGI middleware answering a method an API path does not declare with 405, an ``Allow`` header and
    the error object of that API.

    Without it the Gradio app mounted at ``/`` takes such requests (a mount matches every path) and
    answers 404 with its own body. The declared paths and methods are read from the OpenAPI schema
    itself (routers included with a prefix, such as /v1, are not flat in ``app.routes``), templates
    such as ``/v1/models/{model}`` included. Paths that are not API operations (the UI, /docs) are left alone.
    """

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api
        self._allowed: list[tuple[re.Pattern[str], set[str]]] | None = None

    def allowed(self) -> list[tuple[re.Pattern[str], set[str]]]:
        # Read from the schema on first use, when every operation has been added.
        if self._allowed is None:
            self._allowed = [(compile_path(path)[0], {m.upper() for m in item if m in _HTTP_METHODS})
                             for path, item in self.api.openapi().get("paths", {}).items()]
        return self._allowed

    def methods(self, path: str) -> set[str] | None:
        """The methods the schema declares for a path, or None for a path that is no API operation."""
        found = [methods for regex, methods in self.allowed() if regex.match(path)]
        return set().union(*found) if found else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        methods = self.methods(scope["path"]) if scope["type"] == "http" else None
        if methods is None or scope["method"] in methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods))
        await problem_at(scope["path"], 405, f"{scope['method']} is not allowed on {scope['path']}: use {allow}",
                         {"Allow": allow}, "method_not_allowed")(scope, receive, send)


class BodyLimit:
    """ASGI middleware refusing request bodies over ``max_bytes`` with a JSON 413 before the app reads them.

    The declared Content-Length is checked first; a body sent without one is read up to the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await problem_at(scope["path"], 413, f"the request body is too large: at most {self.max_bytes} bytes",
                         code="request_too_large")(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and not declared.isdigit():
            await problem_at(scope["path"], 400, "the Content-Length header is not a number",
                             code="invalid_content_length")(scope, receive, send)
            return
        if declared is not None and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
        replayed = False

        async def replay() -> AsgiMessage:
            nonlocal replayed
            if replayed:
                return await receive()  # later reads wait for the client to disconnect
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)
