"""The served app: the API and the Gradio UI in one FastAPI process."""

from __future__ import annotations

import os
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from assistant.api import create_app  # noqa: E402
from assistant.service import Assistant, build_assistant  # noqa: E402
from assistant.settings import get_settings  # noqa: E402
from ui.app import build_ui, mount_options  # noqa: E402


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
    try:
        ui = build_ui(get_assistant())
    except Exception as e:  # noqa: BLE001 - serve the API's clear 503 instead of crashing
        with gr.Blocks() as ui:
            gr.Markdown(f"The search index is not available: {e}. Run `kinki-assistant build-index`.")
    return gr.mount_gradio_app(app, ui, path="/", ssr_mode=False, **mount_options())
