"""The served app: the API and the Gradio UI in one FastAPI process."""

from __future__ import annotations

import os
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
from fastapi import FastAPI, HTTPException  # noqa: E402
from fastapi.responses import FileResponse  # noqa: E402

from assistant.api import create_app  # noqa: E402
from assistant.service import Assistant, build_assistant  # noqa: E402
from assistant.settings import get_settings  # noqa: E402
from ui.app import build_ui  # noqa: E402
from ui.reports import REPORT_FILES, report_file, reports_dir  # noqa: E402
from ui.theme import mount_options  # noqa: E402

# How a report's files open in the browser: shown, not downloaded.
_MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json",
                ".jsonl": "text/plain; charset=utf-8", ".md": "text/plain; charset=utf-8"}


def create_server(assistant: Assistant | None = None) -> FastAPI:
    """API at /api, UI at /; opens the index once (a missing index makes the API answer 503)."""
    lock = threading.Lock()
    state: dict[str, Assistant] = {}
    if assistant is not None:
        state["a"] = assistant

    def get_assistant() -> Assistant:
        with lock:
            if "a" not in state:
                state["a"] = build_assistant(get_settings())
            return state["a"]

    app = create_app(get_assistant)

    # The evaluators' view links to each report's files; only files directly in a run folder are served.
    @app.get(f"/{REPORT_FILES}/{{run}}/{{name}}", include_in_schema=False)
    def eval_report_file(run: str, name: str) -> FileResponse:
        path = report_file(reports_dir(get_assistant()), run, name)
        if path is None or path.suffix not in _MEDIA_TYPES:
            raise HTTPException(404, "no such report file")
        return FileResponse(path, media_type=_MEDIA_TYPES[path.suffix])
    try:
        ui = build_ui(get_assistant())
    except Exception as e:  # noqa: BLE001 - serve the API's clear 503 instead of crashing
        with gr.Blocks() as ui:
            gr.Markdown(f"検索インデックスを開けません（`kinki-assistant build-index` を実行してください）。"
                        f" / The search index is not available: {e}. Run `kinki-assistant build-index`.")
    return gr.mount_gradio_app(app, ui, path="/", ssr_mode=False, **mount_options())
