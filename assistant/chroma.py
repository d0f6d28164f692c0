"""The Chroma client the settings ask for (embedded on disk, or a Chroma server) and the names of an
index version's collections. Every call to a server is bounded, because chromadb's own client would
wait forever on a stalled one.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import chromadb
from chromadb.config import Settings as ChromaSettings

from assistant.settings import ChromaMode, Settings

T = TypeVar("T")
_EXAMPLES = "-examples"  # the suffix of a version's collection of labelled example questions


class ChromaUnavailable(RuntimeError):
    """The Chroma server cannot be reached (server mode): the index is not damaged, only out of reach."""


def chroma_client(settings: Settings, path: Path | None = None, timeout: float | None = None) -> Any:
    """The Chroma client the settings ask for: embedded on disk, or a Chroma server.

    In server mode every call is bounded: by ``timeout`` seconds (default ``chroma_timeout_seconds``)
    for each read of the HTTP session, and connecting (which already asks the server for the
    tenant) by the same deadline. chromadb's own client would wait forever on a stalled server.
    """
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_mode == ChromaMode.server:
        seconds = timeout or settings.chroma_timeout_seconds
        client = with_deadline(
            lambda: chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings),
            seconds, f"connecting to the Chroma server {settings.chroma_host}:{settings.chroma_port}")
        bound_http_session(client, seconds)
        return client
    assert path is not None
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def with_deadline(call: Callable[[], T], seconds: float, what: str) -> T:
    """``call()``'s result, or ``TimeoutError`` after ``seconds``.

    The call runs in a daemon thread that is left behind on a timeout (it ends when the server
    answers or drops the connection), so the caller is never held longer than the deadline.
    """
    result: list[T] = []
    error: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            result.append(call())
        except BaseException as e:  # noqa: BLE001 - handed to the caller below
            error.append(e)
        finally:
            done.set()

    threading.Thread(target=run, name="chroma-deadline", daemon=True).start()
    if not done.wait(seconds):
        raise TimeoutError(f"{what}: no answer within {seconds:g} s")
    if error:
        raise error[0]
    return result[0]


def bound_http_session(client: Any, seconds: float) -> None:
    """Give a chromadb HttpClient's httpx session a timeout (chromadb 1.5.9 builds it with timeout=None).

    chromadb keeps the session at ``client._server._session`` (chromadb/api/fastapi.py) and has no
    setting for it; tests/test_faults.py checks this still holds, so a chromadb upgrade that moves it
    fails loudly here instead of quietly bringing back unbounded waits.
    """
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):
        raise RuntimeError("chromadb's HttpClient no longer keeps an httpx session at _server._session: "
                           "calls to the Chroma server cannot be bounded (chromadb==1.5.9 is the tested version)")
    session.timeout = httpx.Timeout(seconds)


def is_connection_error(e: BaseException) -> bool:
    """Whether an exception means the Chroma server could not be reached (as opposed to bad data)."""
    import httpx

    return isinstance(e, httpx.TransportError | ConnectionError | TimeoutError) or "could not connect" in str(e).lower()


def collection_name(settings: Settings, version: str) -> str:
    # One collection per index version, so a server-side swap is as atomic as the on-disk one.
    return f"{settings.collection}-{version}"


def examples_collection(name: str) -> str:
    """The Chroma collection of a version's labelled example questions, beside its chunks' one."""
    return f"{name}{_EXAMPLES}"


def drop_old_collections(settings: Settings, keep: set[str | None]) -> None:
    """Delete this index's server collections except those of the versions in ``keep``.

    The caller keeps the version just replaced too, so workers that opened it keep answering until
    the next build.
    """
    client = chroma_client(settings, timeout=settings.chroma_write_timeout_seconds)
    wanted = {collection_name(settings, v) for v in keep if v}
    prefix = f"{settings.collection}-"
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        rest = name[len(prefix) :].removesuffix(_EXAMPLES)
        if name.startswith(prefix) and len(rest) == 12 and name.removesuffix(_EXAMPLES) not in wanted:
            with contextlib.suppress(Exception):  # another builder may have dropped it already
                client.delete_collection(name)
