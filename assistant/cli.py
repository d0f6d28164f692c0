"""Command line: build the index, ask questions, evaluate, serve the chat."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from assistant.settings import get_settings


def _progress_bar() -> Any:
    """A progress callback that draws one tqdm bar per build stage on stderr."""
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=f"{stage:16s}", unit="item", file=sys.stderr, leave=True)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def _assistant(build_if_missing: bool = False) -> Any:
    from assistant.index import IndexCorrupt, IndexMissing
    from assistant.service import build_assistant

    try:
        return build_assistant(get_settings(), build_if_missing=build_if_missing, progress=_progress_bar())
    except (IndexMissing, IndexCorrupt) as e:
        raise click.ClickException(f"{e}\nBuild it first:  kinki-assistant build-index") from e


@click.group()
@click.version_option(package_name="kinki-assistant")
def main() -> None:
    """Offline assistant over 近畿経済産業局「令和７年度 重点施策」.

    Answers questions with quotes from the document and the office to call.
    Settings come from KINKI_* environment variables (see README).
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command("build-index")
@click.option("--force", is_flag=True, help="Rebuild even when the corpus has not changed.")
def build_index_cmd(force: bool) -> None:
    """Chunk the corpus, embed it into Chroma and build the BM25 index.

    Idempotent: when nothing changed it says so and keeps the current index.

    \b
    Example:
      kinki-assistant build-index
    """
    from assistant.embeddings import get_encoder
    from assistant.index import build_index
    from assistant.tokenizer import get_tokenizer

    s = get_settings()
    manifest = build_index(s, get_tokenizer(), get_encoder(s.embed_threads, s.model_cache_dir), progress=_progress_bar(), force=force)
    state = "up to date" if manifest.get("skipped") else f"built in {manifest['build_seconds']} s"
    click.echo(f"Index {manifest['version']} {state}: {manifest['chunks']} chunks from "
               f"{len(manifest['documents'])} document(s) in {s.index_dir}")


def _echo_ingest(report: Any, index_dir: Path) -> None:
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
def ingest(paths: tuple[Path, ...]) -> None:
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

    s = get_settings()
    try:
        report = run_ingest(list(paths), s, get_tokenizer(), get_encoder(s.embed_threads, s.model_cache_dir), progress=_progress_bar())
    except UnreadableDocument as e:
        raise click.ClickException(f"{e}\nNothing was changed.") from e
    _echo_ingest(report, s.index_dir)


@main.command()
@click.argument("names", nargs=-1, required=True)
def remove(names: tuple[str, ...]) -> None:
    """Remove documents (by file name) from the corpus and from the index (Chroma and BM25).

    \b
    Example:
      kinki-assistant remove tokai-2025.pdf
    """
    from assistant.embeddings import get_encoder
    from assistant.ingest import remove as run_remove
    from assistant.loaders import UnreadableDocument
    from assistant.tokenizer import get_tokenizer

    s = get_settings()
    try:
        report = run_remove(list(names), s, get_tokenizer(), get_encoder(s.embed_threads, s.model_cache_dir), progress=_progress_bar())
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
def bench(questions: Path | None, clients: int, per_client: int, limit: int | None, no_http: bool,
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

    s = get_settings()
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
def make_corpus_cmd(folder: Path, factor: int, seed: int) -> None:
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

    s = get_settings()
    try:
        made = make_corpus(s.corpus_dir, folder, factor, seed)
    except (ValueError, FileNotFoundError) as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"Wrote {made.documents} document(s) with {made.initiatives} initiatives to {made.folder}")


def _read_batch(path: Path) -> list[dict[str, Any]]:
    """The cases of a JSONL batch file; any bad line stops the run with its line number and why."""
    from assistant.inputs import BadInput, check_message

    settings = get_settings()
    if path.stat().st_size > 50 * settings.max_request_bytes:
        raise click.ClickException(f"{path}: larger than {50 * settings.max_request_bytes} bytes; split it")
    cases = []
    with path.open("rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as e:
                raise click.ClickException(f"{path}:{n}: not UTF-8 text ({e.reason} at byte {e.start}); "
                                           "save the file as UTF-8") from e
            if not line.strip():
                continue
            try:
                case = json.loads(line)
            except json.JSONDecodeError as e:
                raise click.ClickException(f"{path}:{n}: not valid JSON ({e.msg})") from e
            turns = case.get("turns") if isinstance(case, dict) else None
            if not isinstance(turns, list) or not turns or not all(isinstance(t, str) for t in turns):
                raise click.ClickException(f'{path}:{n}: expected {{"id": ..., "turns": ["question", ...]}}')
            try:
                case["turns"] = [check_message(t, settings) for t in turns]
            except BadInput as e:
                raise click.ClickException(f"{path}:{n}: {e}") from e
            cases.append(case)
    if not cases:
        raise click.ClickException(f'{path}: no questions in it; expected one {{"id": ..., "turns": [...]}} a line')
    return cases


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@click.option("--batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSONL file, one {"id": ..., "turns": [...]} a line; answers the last turn of each.')
def ask(question: str | None, as_json: bool, batch: Path | None) -> None:
    """Ask a question and get the answer, its quotes and the office to call.

    \b
    Examples:
      kinki-assistant ask "取引先が値上げを認めてくれない"
      kinki-assistant ask "06-6966-6014はどこ？" --json
      kinki-assistant ask --batch questions.jsonl --json
    """
    from assistant.chat import Turn
    from assistant.inputs import BadInput, check_message

    if (question is None) == (batch is None):
        raise click.UsageError('give a QUESTION or --batch FILE (e.g. kinki-assistant ask "水素の相談窓口は？")')
    if batch:
        cases = _read_batch(batch)
    else:
        try:
            cases = [{"id": None, "turns": [check_message(question, get_settings())]}]
        except BadInput as e:
            raise click.ClickException(str(e)) from e
    a = _assistant()
    for case in cases:
        history: list[Turn] = []
        answer = None
        for turn in case["turns"]:
            answer = a.ask(turn, history)
            history += [Turn("user", turn), Turn("assistant", answer.answer)]
        assert answer is not None
        if as_json:
            out = answer.to_dict()
            if batch:
                out = {"id": case.get("id"), **out}
            click.echo(json.dumps(out, ensure_ascii=False))
        else:
            click.echo(answer.answer)
            if batch:
                click.echo()


def _summary(folder: Path) -> str:
    """The headline numbers of a report, pipelines side by side, as fixed-width text."""
    from assistant.evaluation import load_run
    from assistant.reports import fmt, label

    doc, _ = load_run(folder)
    # Pipelines side by side, then (pipeline only) the other case sets beside the main one.
    columns = {n: p["overall"] for n, p in doc["pipelines"].items()}
    main = Path(doc["cases_file"]).stem  # already shown as the pipeline's column
    columns.update({n: s["overall"] for n, s in doc.get("sets", {}).items() if n not in columns and n != main})
    names = list(columns)
    widths = [max(12, len(n)) for n in names]
    lines = [f"{'':30s}" + "  ".join(f"{n:>{w}s}" for n, w in zip(names, widths, strict=True))]
    for m in ("pass_rate", "routing_accuracy", "office_top3", "hit@1", "hit@3", "mrr", "fact_recall",
              "abstention_precision", "abstention_recall", "false_abstention_rate", "clarify_rate", "turn_pass_rate",
              "outside_numbers", "latency_p50_ms", "latency_p95_ms"):
        cells = [fmt(m, columns[n].get(m)) for n in names]
        lines.append(f"{label(m):30s}" + "  ".join(f"{c:>{w}s}" for c, w in zip(cells, widths, strict=True)))
    if found := (doc.get("lookups") or {}).get("overall"):
        lines.append(f"\n{label('lookups_pass_rate'):30s}{fmt('lookups_pass_rate', found['pass_rate'])} "
                     f"({found['passed']} of {found['cases']}, {doc['lookups']['file']})")
    return "\n".join(lines)


@main.command("eval")
@click.option("--cases", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Regression set, one JSON case a line (default: eval/dev.jsonl).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Reports folder; each run writes <timestamp>/ in it (default: eval/reports).")
@click.option("--baselines", is_flag=True,
              help="Also score two baselines (SentenceSplitter + vectors; BM25 over character bigrams) side by side.")
@click.option("--compare", nargs=2, metavar="RUN_A RUN_B", default=None,
              help="Run nothing; list the cases that flipped from RUN_A to RUN_B (report folders, names in --out, or 'latest').")
@click.option("--gate/--no-gate", default=True, show_default=True,
              help="Exit with status 1 when a metric misses its threshold.")
@click.option("--thresholds", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Thresholds of the gate (default: eval/thresholds.json).")
@click.option("--also", "also", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Another case file scored beside the main one (repeatable). Default with the default "
                   "--cases: eval/dev-voices.jsonl and eval/sealed.jsonl, beside the sealed set's first sight.")
@click.option("--lookups", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Call-centre look-ups typed into the directory search, one JSON a line. Default with the "
                   "default --cases: eval/lookups.jsonl.")
def eval_cmd(cases: Path | None, out: Path | None, baselines: bool, compare: tuple[str, str] | None, gate: bool,
             thresholds: Path | None, also: tuple[Path, ...], lookups: Path | None) -> None:
    """Score the Q&A regression set through the chat's own code path and write a report.

    Reports routing accuracy@1, initiative hit@1/hit@3/MRR, fact recall, abstention precision and
    recall, false abstentions, numbers outside the directory and latency, overall and per category,
    and the call-centre look-ups' pass rate (overall, per kind, every miss) through the directory
    search, as report.md, report.html (charts) and responses.jsonl under eval/reports/<timestamp>/.

    \b
    Examples:
      kinki-assistant eval
      kinki-assistant eval --baselines
      kinki-assistant eval --cases my_cases.jsonl --out /tmp/reports --no-gate
      kinki-assistant eval --cases eval/sealed.jsonl --no-gate
      kinki-assistant eval --compare example latest
      kinki-assistant eval --compare eval/reports/20250601-101500 eval/reports/20250602-090000
    """
    from assistant.evaluation import (
        CaseError,
        GateCheck,
        RunError,
        ThresholdError,
        compare_runs,
        count_steps,
        gate_message,
        load_run,
        resolve_run,
        run_evaluation,
    )

    s = get_settings()
    reports_dir = out or s.eval_dir / "reports"
    if compare:
        try:
            diff = compare_runs(resolve_run(compare[0], reports_dir), resolve_run(compare[1], reports_dir))
        except RunError as e:
            raise click.ClickException(str(e)) from e
        click.echo(diff.to_markdown(), nl=False)
        return

    from tqdm import tqdm

    sets = list(also)
    if cases is None:
        cases = s.eval_dir / "dev.jsonl"
        sets = sets or [p for p in (s.eval_dir / "dev-voices.jsonl", s.eval_dir / "sealed.jsonl") if p.exists()]
        default_lookups = s.eval_dir / "lookups.jsonl"
        lookups = lookups or (default_lookups if default_lookups.exists() else None)
    try:
        total = count_steps(cases, baselines, sets, lookups)
    except (OSError, CaseError) as e:
        raise click.ClickException(str(e)) from e
    assistant = _assistant()
    with tqdm(total=total, desc="eval", unit="case", file=sys.stderr) as bar:
        try:
            folder = run_evaluation(assistant, cases, reports_dir, baselines=baselines, progress=bar.update,
                                    thresholds=thresholds, also=sets, lookups=lookups)
        except (CaseError, ThresholdError) as e:
            raise click.ClickException(str(e)) from e
        except OSError as e:
            raise click.ClickException(f"cannot write the report in {reports_dir}: {e.strerror or e}") from e
    click.echo(_summary(folder))
    click.echo(f"\nReport: {folder / 'report.md'}  (charts: report.html, every answer: responses.jsonl)")
    doc, _ = load_run(folder)
    checks = [GateCheck.from_json(c) for c in doc["gate"]["checks"]]
    if not checks:
        click.echo("Quality gate: no thresholds file, nothing checked.")
        return
    message = gate_message(checks, doc["gate"]["thresholds_file"])
    if all(c.ok for c in checks):
        click.echo(message)
        return
    click.echo(message, err=True)
    if gate:
        sys.exit(1)
    click.echo("(not enforced: --no-gate)", err=True)

@main.group()
def feedback() -> None:
    """Thumbs up/down left in the chat UI or through POST /api/feedback."""


@feedback.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the drafts to this JSONL file instead of standard output.")
def feedback_export(out: Path | None) -> None:
    """Turn thumbs-down into draft eval cases in the eval/dev.jsonl format.

    Each draft keeps the conversation and what was answered; its `expect` is left
    empty and it is marked `"draft": true` until someone checks it against the document.

    \b
    Examples:
      kinki-assistant feedback export
      kinki-assistant feedback export --out eval/drafts.jsonl
    """
    from assistant.feedback import FeedbackError, FeedbackStore, draft_cases

    s = get_settings()
    store = FeedbackStore(s.feedback_db)
    if not s.feedback_db.exists():
        click.echo(f"No feedback recorded yet ({s.feedback_db} does not exist); nothing to export.", err=True)
        return
    try:
        downs = store.items("down")
    except FeedbackError as e:
        raise click.ClickException(str(e)) from e
    drafts = draft_cases(downs)
    lines = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in drafts)
    if out is None:
        click.echo(lines, nl=False)
    else:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(lines, "utf-8")
        except OSError as e:
            raise click.ClickException(f"cannot write {out}: {e}") from e
    where = f" to {out}" if out else ""
    click.echo(f"{len(drafts)} draft case(s) from {len(downs)} thumbs-down{where}. "
               "Fill in each `expect` before adding it to eval/dev.jsonl.", err=True)


@main.command("mcp")
def mcp_cmd() -> None:
    """Serve the assistant as an MCP server over stdio (for MCP clients that start it themselves).

    Tools: ask, find_office, list_initiatives; resources: the document's slides. Stdout carries only
    the protocol; logs go to stderr. The served app also offers MCP over HTTP at /mcp.

    \b
    Example (an MCP client's command line):
      /path/to/.venv/bin/kinki-assistant mcp
    """
    from assistant.mcp_server import run_stdio, stdout_to_stderr

    with stdout_to_stderr():  # opening the index must not print anything onto the protocol's stream
        assistant = _assistant()
    run_stdio(assistant)


@main.command()
@click.option("--host", default=None, help="Address to bind (default from settings: 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default from settings: 7860).")
@click.option("--workers", default=1, type=click.IntRange(1, 64), show_default=True,
              help="Worker processes behind the one address (the API keeps no state between requests).")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the chat UI at / and the API at /api (docs at /docs).

    \b
    Examples:
      kinki-assistant serve --port 7860
      KINKI_CHROMA_MODE=server kinki-assistant serve --workers 4
    """
    import uvicorn

    s = get_settings()
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
