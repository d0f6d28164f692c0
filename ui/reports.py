"""The evaluators' view: the newest evaluation report as Markdown, and which report files may be served.

A report's files (report.html, responses.jsonl, metrics.json) are served by ui/server.py at
``REPORT_FILES/<run>/<file>``; the Markdown's relative links are pointed there.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import quote

from assistant.evaluation import latest_report
from assistant.service import Assistant
from ui.render import esc

log = logging.getLogger(__name__)

REPORT_FILES = "eval-reports"
_MD_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def reports_dir(assistant: Assistant) -> Path:
    """Where evaluation runs write their reports: the same folder the CLI's ``eval`` writes to."""
    return assistant.settings.eval_dir / "reports"


def report_file(folder: Path, run: str, name: str) -> Path | None:
    """A file directly inside a run folder of ``folder``, or None: no other path is ever served."""
    if not _SAFE_NAME.match(run) or not _SAFE_NAME.match(name):
        return None
    path = folder / run / name
    try:
        inside = path.resolve().parent.parent == folder.resolve()
    except OSError:
        return None
    return path if inside and path.is_file() else None


def _report_links(markdown: str, run: Path, served: Path | None) -> str:
    """Relative links in a report, which the page would resolve against "/", made to open: to the
    served copy of the file when the run lies in the served folder, else to plain text naming the file."""
    def link(m: re.Match[str]) -> str:
        bang, text, target = m.groups()
        if bang or re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", target, re.I):
            return m.group(0)
        if served is not None and report_file(served, run.name, target) is not None:
            return f"[{text}]({REPORT_FILES}/{quote(run.name)}/{quote(target)})"
        return f"{text} (`{esc(run / target)}`)"
    return _MD_LINK.sub(link, markdown)


def report_markdown(path: Path | None, served: Path | None = None) -> str:
    """A report folder (or its report.md) as Markdown headed by where it lives; its links to the run's
    files open when the run lies in ``served`` (the reports folder ui/server.py serves)."""
    if path is None:
        return "まだ評価レポートがありません。「評価を実行」を押してください。 / No evaluation report yet."
    md = path / "report.md" if path.is_dir() else path
    try:
        text = _report_links(md.read_text("utf-8"), md.parent, served)
        return f"**{esc(md.parent.name)}** — `{esc(md)}`\n\n" + text
    except OSError as e:
        return f"レポートを読めませんでした / Could not read the report ({esc(e)})."


def latest_report_markdown(assistant: Assistant) -> str:
    """The newest report as Markdown, or a note when the runner or any report is missing."""
    try:
        folder = reports_dir(assistant)
        return report_markdown(latest_report(folder), folder)
    except Exception as e:  # noqa: BLE001 - a broken report folder must not break the page
        log.error("latest report: %s", e)
        return f"レポートを読めませんでした / Could not read the latest report ({esc(e)})."
