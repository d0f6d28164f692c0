"""Why a directory search found an office, in one line: /api/contacts and MCP's find_office say the same."""

from __future__ import annotations

from assistant.directory import Office
from assistant.normalize import bracketed
from assistant.service import OfficeSearch


def matched_initiatives(found: OfficeSearch, office: Office) -> list[str]:
    """The office's initiatives that the search matched, in the office's order."""
    matched = set(found.initiatives)
    return [t for t in office.initiatives if t in matched]


def why_matched(found: OfficeSearch, office: Office) -> str:
    """Why ``office`` is among ``found``'s offices; for a term of the document, the line that uses it and its page."""
    if found.kind == "term" and office.division in found.why:
        return found.why[office.division]
    kind = found.kind
    if kind in ("term", "topic"):
        mine = matched_initiatives(found, office)
        if not mine:  # put first because a short query names its place (神戸 → 神戸通商事務所)
            return "the query names the place this office is in"
        handles = "、".join(bracketed(t) for t in mine)
        return f"it handles {handles}, which the " + ("term is used in" if kind == "term" else "topic matched")
    if kind == "all":
        return "every office (the whole directory was asked for)"
    if kind == "phone":
        return f"{office.phone} is this office's number"
    if kind == "partial-number":
        return f"its number {office.phone} contains the digits typed"
    if kind == "division":
        return f"the query names this office ({office.division})"
    if kind == "department":
        return f"the query names its department ({office.department})"
    return kind
