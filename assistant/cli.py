"""Command line: build and change the index, serve the chat, measure; the questions' commands are in cli_eval.

The group reads the settings once (KINKI_* environment variables) and hands them to every command through
click's context; a caller with settings of its own passes them as the context object (``obj=``).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.cli_common import open_assistant, pass_settings, progress_bar
from assistant.cli_eval import ask, eval_cmd, feedback
from assistant.settings import Settings, get_settings

if TYPE_CHECKING:  # imported when a command runs: `--help` must not load the models
    from assistant.ingest import IngestReport


@click.group()
@click.version_option(package_name="kinki-assistant")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Offline assistant over 近畿経済産業局「令和７年度 重点施策」.

    Answers questions with quotes from the document and the office to call.
    Settings come from KINKI_* environment variables (see README).
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if ctx.obj is None:
        ctx.obj = get_settings()


main.add_command(ask)
main.add_command(eval_cmd)
main.add_command(feedback)


@main.command("build-index")
@click.option("--force", is_flag=True, help="Rebuild even when the corpus has not changed.")
@pass_settings
def build_index_cmd(s: Settings, force: bool) -> None:
    """Chunk the corpus, embed it into Chroma and build the BM25 index.

    Idempotent: when nothing changed it says so and keeps the current index.

    \b
    Example:
      kinki-assistant build-index
    """
    from assistant.embeddings import get_encoder
    from assistant.index import build_index
    from assistant.tokenizer import get_tokenizer

    manifest = build_index(s, get_tokenizer(), get_encoder(s.embed_threads, s.model_cache_dir), progress=progress_bar(), force=force)
    state = "up to date" if manifest.get("skipped") else f"built in {manifest['build_seconds']} s"
    click.echo(f"Index {manifest['version']} {state}: {manifest['chunks']} chunks from "
               f"{len(manifest['documents'])} document(s) in {s.index_dir}")


def _echo_ingest(report: IngestReport, index_dir: Path) -> None:
    m = report.manifest
    for label, names in (("added", report.added), ("updated", report.updated), ("unchanged", report.unchanged),
                         ("removed", report.removed)):
        if names:
            click.echo(f"{label}: {', '.join(names)}")
    state = "up to date" if m.get("skipped") else f"built in {m['build_seconds']} s"
    click.echo(f"Index {m['version']} {state}: {m['chunks']} chunks from {len(m['documents'])} document(s); "
               f"embedded {report.embedded} new text(s), reused {m.get('reused_texts', 0)} ({index_dir})")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_settings
def ingest(s: Settings, paths: tuple[Path, ...]) -> None:
    """Add or update documents (.pdf, .txt, .md) and update the index incrementally.

    Each file is copied into the corpus folder (a same-named document is replaced) together with
    its own contact table NAME.contacts.json when one sits beside it. PDF pages and Markdown
    headings become sections, so answers cite them. Only text not embedded before is embedded:
    ingesting the same files again embeds nothing.

    \b
    Examples:
      kinki-assistant ingest reports/tokai-2025.pdf
      kinki-assistant ingest notes/*.md policies.txt
    """
    from assistant.embeddings import get_encoder
    from assistant.ingest import ingest as run_ingest
    from assistant.loaders import UnreadableDocument
    from assistant.tokenizer import get_tokenizer

    try:
        report = run_ingest(list(paths), s, get_tokenizer(), get_encoder(s.embed_threads, s.model_cache_dir), progress=progress_bar())
    except UnreadableDocument as e:
        raise click.ClickException(f"{e}\nNothing was changed.") from e
    _echo_ingest(report, s.index_dir)


@main.command()
@click.argument("names", nargs=-1, required=True)
@pass_settings
def remove(s: Settings, names: tuple[str, ...]) -> None:
    """Remove documents (by file name) from the corpus and from the index (Chroma and BM25).

    \b
    Example:
      kinki-assistant remove tokai-2025.pdf
    """
    from assistant.embeddings import get_encoder
    from assistant.ingest import remove as run_remove
    from assistant.loaders import UnreadableDocument
    from assistant.tokenizer import get_tokenizer

    try:
        report = run_remove(list(names), s, get_tokenizer(), get_encoder(s.embed_threads, s.model_cache_dir), progress=progress_bar())
    except UnreadableDocument as e:
        raise click.ClickException(str(e)) from e
    except FileNotFoundError as e:
        raise click.ClickException(f"{e}: the corpus is now empty; ingest a document to rebuild the index") from e
    _echo_ingest(report, s.index_dir)


@main.command()
@click.option("--questions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="JSONL of {\"turns\": [...]} (default: eval/dev.jsonl).")
@click.option("--clients", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Concurrent HTTP clients.")
@click.option("--per-client", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="Questions each concurrent client asks.")
@click.option("--limit", default=None, type=click.IntRange(1), help="Use only the first N questions.")
@click.option("--no-http", is_flag=True, help="Skip the HTTP measurements.")
@click.option("--no-baselines", is_flag=True, help="Skip the evaluation runner's baseline pipelines.")
@click.option("--scale", default="", help="Also build and query synthetic corpora this many times the size, "
              "e.g. 10,100.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write every figure to this JSON file.")
@pass_settings
def bench(s: Settings, questions: Path | None, clients: int, per_client: int, limit: int | None, no_http: bool,
          no_baselines: bool, scale: str, json_path: Path | None) -> None:
    """Measure latency (in-process and HTTP), build time, start-up time and peak memory.

    The assistant and the evaluation runner's baselines answer the same questions, each in a
    process of its own, and the table shows the ratios. The live index is not touched: the
    bench builds its own copy in a temporary folder. Prints a Markdown table.

    \b
    Examples:
      kinki-assistant bench
      kinki-assistant bench --clients 8 --json bench.json
      kinki-assistant bench --no-http --scale 10,100
    """
    from assistant.bench import run

    try:
        factors = tuple(int(f) for f in scale.split(",") if f.strip())
    except ValueError as e:
        raise click.BadParameter("give whole numbers, e.g. --scale 10,100", param_hint="--scale") from e
    if any(f < 1 for f in factors):
        raise click.BadParameter("factors must be at least 1", param_hint="--scale")
    qfile = questions or s.eval_dir / "dev.jsonl"
    try:
        report = run(s, qfile, clients=clients, per_client=per_client, limit=limit, http=not no_http,
                     scale=factors, with_baselines=not no_baselines,
                     say=lambda m: click.echo(f"… {m}", err=True))
    except (ValueError, RuntimeError, TimeoutError, FileNotFoundError) as e:
        raise click.ClickException(str(e)) from e
    click.echo(report.markdown())
    if json_path:
        json_path.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=2), "utf-8")
        click.echo(f"Figures written to {json_path}", err=True)


@main.command("make-corpus")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--factor", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="How many times the real corpus's size.")
@click.option("--seed", default=7, show_default=True, help="Random seed (the same seed writes the same corpus).")
@pass_settings
def make_corpus_cmd(s: Settings, folder: Path, factor: int, seed: int) -> None:
    """Write a synthetic corpus FACTOR times the real one's size into FOLDER, for scale tests.

    The real document is copied, and FACTOR-1 synthetic documents recombine and perturb its
    initiatives, each with its own contact table of plainly fake numbers (000-NNN-NNNN). FOLDER must
    be new, empty or an earlier synthetic corpus; the project's corpus is never written to.

    \b
    Example:
      kinki-assistant make-corpus /tmp/corpus100 --factor 100
      KINKI_CORPUS_DIR=/tmp/corpus100 KINKI_INDEX_DIR=/tmp/index100 kinki-assistant build-index
    """
    from assistant.synthetic import make_corpus

    try:
        made = make_corpus(s.corpus_dir, folder, factor, seed)
    except (ValueError, FileNotFoundError) as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"Wrote {made.documents} document(s) with {made.initiatives} initiatives to {made.folder}")


@main.command("mcp")
@pass_settings
def mcp_cmd(s: Settings) -> None:
    """Serve the assistant as an MCP server over stdio (for MCP clients that start it themselves).

    Tools: ask, find_office, list_initiatives; resources: the document's slides. Stdout carries only
    the protocol; logs go to stderr. The served app also offers MCP over HTTP at /mcp.

    \b
    Example (an MCP client's command line):
      /path/to/.venv/bin/kinki-assistant mcp
    """
    from assistant.mcp_server import run_stdio, stdout_to_stderr

    with stdout_to_stderr():  # opening the index must not print anything onto the protocol's stream
        assistant = open_assistant(s)
    run_stdio(assistant)


@main.command()
@click.option("--host", default=None, help="Address to bind (default from settings: 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default from settings: 7860).")
@click.option("--workers", default=1, type=click.IntRange(1, 64), show_default=True,
              help="Worker processes behind the one address (the API keeps no state between requests).")
@pass_settings
def serve(s: Settings, host: str | None, port: int | None, workers: int) -> None:
    """Serve the chat UI at / and the API at /api (docs at /docs).

    \b
    Examples:
      kinki-assistant serve --port 7860
      KINKI_CHROMA_MODE=server kinki-assistant serve --workers 4
    """
    import uvicorn

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    if host:  # the app reads it from settings too (the MCP endpoint's Host check depends on it)
        from assistant import settings as settings_module

        os.environ["KINKI_HOST"] = host
        settings_module.get_settings.cache_clear()
    # The server lives in ui/ (the core never imports the UI); uvicorn loads it by name.
    uvicorn.run("ui.server:create_server", factory=True, host=host or s.host, port=port or s.port, log_level="info",
                workers=workers)


if __name__ == "__main__":
    main()
