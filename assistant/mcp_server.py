"""MCP server (official SDK's ``MCPServer``, FastMCP's successor): tools over the assistant, slides as resources.

One server object serves both transports: ``kinki-assistant mcp`` runs it over stdio, and the served
app mounts its streamable HTTP endpoint at ``/mcp``. Tools answer through the same ``Assistant``
methods as the API, so the number guard and the abstention apply unchanged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.server.mcpserver.resources import TextResource
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import BaseModel, Field

from assistant import __version__
from assistant.chat import Turn
from assistant.inputs import NOTHING_TO_SEARCH, BadInput, check_query
from assistant.loaders import DocumentCard
from assistant.office_match import matched_initiatives, why_matched
from assistant.service import Assistant, OfficeSearch
from assistant.settings import Settings

log = logging.getLogger(__name__)

NAME = "kinki-assistant"
MCP_PATH = "/mcp"
SLIDE_URI = "kinki://slides/{doc}/{page}"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")

def instructions(card: DocumentCard) -> str:
    """What the server tells a client it does, naming the corpus (its NAME.about.json)."""
    name = card.name.get("ja", "")
    english = card.name.get("en", "")
    about = f"{name} ({english})" if name and english else name or english or "the corpus's documents"
    return (f"Answers questions about {about} with quotes and their pages, and names the office to call. Every "
            "phone number comes from the document's contact table; when the document does not cover a question, "
            "the answer says so and names no one.")

# The API's wording of an empty search points to its all=true; here the whole list is list_initiatives.
NOTHING_TO_FIND = ("検索する言葉がありません。話題、部署名、電話番号のどれかを入れてください。すべての取組と"
                   "窓口は list_initiatives で一覧できます。 / Nothing to search for: give a topic, a division name or a "
                   "phone number (letters or digits); list_initiatives lists every initiative with its offices.")


class HistoryTurn(BaseModel):
    """An earlier turn of the conversation."""

    role: Literal["user", "assistant"] = Field(description="Who said it.")
    content: str = Field(description="What was said.")


@dataclass(frozen=True)
class Slide:
    """One page (or, for documents without pages, one section) of an indexed document, read from its chunks."""

    doc: str
    key: str  # the page number, or "s<n>" for the n-th section of a document without pages
    file: str
    section: str
    page: int | None
    text: str

    @property
    def uri(self) -> str:
        """The resource URI MCP clients read the slide by."""
        return SLIDE_URI.format(doc=self.doc, page=self.key)


def slides(assistant: Assistant) -> list[Slide]:
    """Every slide of the index in document order, its chunks' text joined (chunks never overlap)."""
    files = {d["doc_id"]: d["file"] for d in assistant.index.manifest["documents"]}
    groups: dict[tuple[str, int | None, str], list[str]] = {}
    for c in assistant.index.chunks:
        groups.setdefault((c.doc_id, c.page, c.section), []).append(c.text)
    out: list[Slide] = []
    sections: dict[str, int] = {}
    for (doc, page, section), texts in groups.items():
        if page is None:
            sections[doc] = sections.get(doc, 0) + 1
        key = str(page) if page is not None else f"s{sections[doc]}"
        out.append(Slide(doc, key, files.get(doc, doc), section, page, "\n".join(texts)))
    return out


def describe_search(found: OfficeSearch) -> dict[str, Any]:
    """A directory search as the ``find_office`` tool returns it: each office with why it matched."""
    offices = [{"department": o.department, "division": o.division, "phone": o.phone,
                "initiatives": matched_initiatives(found, o) or list(o.initiatives), "why": why_matched(found, o),
                "page": found.pages.get(o.division)}
               for o in found.offices]
    notes = {
        "unknown-phone": "That number is not in the document's contact table.",
        "none": "The document does not cover this topic, so no office is named.",
        "empty": "Nothing to search for: give a topic, a division name or a phone number.",
    }
    # The query is not echoed: an unknown number typed in must not come back as if it were listed.
    return {"matched_by": found.kind, "note": notes.get(found.kind, ""), "offices": offices}


def list_initiatives(assistant: Assistant) -> list[dict[str, Any]]:
    """Every initiative of the index in document order, with its pages and the offices that handle it."""
    pages: dict[str, list[int]] = {}
    for c in assistant.index.chunks:
        if c.initiative:
            got = pages.setdefault(c.initiative, [])
            if c.page is not None and c.page not in got:
                got.append(c.page)
    return [{"title": title, "pages": got,
             "offices": [{"department": c.department, "division": c.division, "phone": c.phone}
                         for c in assistant.directory.for_initiative(title)]}
            for title, got in pages.items()]


def build_mcp(get_assistant: Callable[[], Assistant], card: DocumentCard | None = None) -> MCPServer:
    """The MCP server; ``get_assistant`` is called per request and may raise while there is no index."""
    # log_level WARNING: the SDK configures root logging at INFO when nothing has configured it yet.
    server: MCPServer = MCPServer(NAME, title="Kansai policy assistant", instructions=instructions(card or DocumentCard()),
                                  version=__version__, log_level="WARNING")

    def assistant() -> Assistant:
        try:
            return get_assistant()
        except Exception as e:  # noqa: BLE001 - the client is told why, in words
            raise ToolError(f"the search index is not available ({e}); run `kinki-assistant build-index`") from e

    @server.tool()
    def ask(message: str, history: list[HistoryTurn] | None = None) -> dict[str, Any]:
        """Answer a question about the bureau's FY2025 priority policies: quotes with pages and the office to call.

        Pass the earlier turns as history for follow-ups (「その電話番号は？」). Returns the answer object:
        answer, citations, contacts (contacts[0] is the office to call first), abstained, initiatives.
        """
        turns = [Turn(t.role, t.content) for t in history or []]
        try:
            return assistant().ask(message, turns).to_dict()
        except BadInput as e:
            raise ToolError(str(e)) from e

    @server.tool()
    def find_office(query: str) -> dict[str, Any]:
        """Find the office for a topic (水素, 価格転嫁), a division name (取引適正化推進室) or a phone number written any way.

        Returns the offices with their department, division, directory phone number, the initiatives that
        matched and why each office matched. The query needs a letter or digit (an empty one is refused, not
        answered with the whole directory); list_initiatives lists every initiative with its offices.
        """
        a = assistant()
        try:
            # The same limits as the API's /api/contacts: at most max_query_chars, something to search for.
            found = a.search_offices(check_query(query, a.settings.max_query_chars))
        except BadInput as e:
            raise ToolError(NOTHING_TO_FIND if str(e) == NOTHING_TO_SEARCH else str(e)) from e
        return describe_search(found)

    @server.tool(name="list_initiatives")
    def list_initiatives_tool() -> list[dict[str, Any]]:
        """List the document's initiatives in order, each with its pages and the offices that handle it."""
        return list_initiatives(assistant())

    try:
        for s in slides(get_assistant()):
            where = f"p. {s.page}" if s.page is not None else f"section {s.key[1:]}"
            server.add_resource(TextResource(
                uri=s.uri, name=f"{where} {s.section}", title=f"{s.section} ({where})",
                description=f"{s.file}, {where}: {s.section}", mime_type="text/plain", text=s.text))
    except Exception as e:  # noqa: BLE001 - the tools still answer (or say why) without the listed slides
        log.warning("slides not listed as MCP resources: %s", e)

    @server.resource(SLIDE_URI, name="slide", mime_type="text/plain",
                     description="A slide by document id and page number (or s<n> for the n-th section).")
    def slide(doc: str, page: str) -> str:
        """The text of one slide, read from the index (also serves slides added after start-up)."""
        try:
            found = [s for s in slides(get_assistant()) if s.doc == doc and s.key == page]
        except Exception as e:  # noqa: BLE001 - said to the client, not raised as a crash
            raise ResourceError(f"the search index is not available ({e})") from e
        if not found:
            raise ResourceError(f"no slide {page} in document {doc}")
        return found[0].text

    return server


@dataclass
class HttpMount:
    """The streamable HTTP endpoint of an MCP server, to add to an app, and the lifespan it needs."""

    endpoint: StreamableHTTPASGIApp
    manager: StreamableHTTPSessionManager

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Run the session manager while the app runs (Starlette does not run a mounted app's lifespan)."""
        async with self.manager.run():
            yield


def http_mount(server: MCPServer, settings: Settings) -> HttpMount:
    """Streamable HTTP for ``server``, stateless so any worker behind one address can answer any request."""
    loopback = settings.host in _LOOPBACK
    # On loopback, refuse other Host headers (DNS rebinding); a server bound to a public address is reached
    # under names the process cannot know, so the check stays off there.
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=loopback,
        allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
        allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
    )
    starlette = server.streamable_http_app(streamable_http_path=MCP_PATH, stateless_http=True, json_response=True,
                                           transport_security=security, host=settings.host,
                                           max_request_body_size=settings.max_request_bytes)
    endpoint = next(r.endpoint for r in starlette.routes if getattr(r, "path", None) == MCP_PATH)
    return HttpMount(endpoint, server.session_manager)  # type: ignore[arg-type]


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send anything written to stdout (Python or C) to stderr: in stdio mode stdout carries only the protocol."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def run_stdio(assistant: Assistant) -> None:
    """Serve MCP over stdin/stdout until the client closes them."""
    with stdout_to_stderr():
        server = build_mcp(lambda: assistant, assistant.conversation.composer.card)  # read once, at wiring
    server.run("stdio")
