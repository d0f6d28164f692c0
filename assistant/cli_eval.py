"""Commands that put questions to the assistant and judge its answers: ask (one or a batch), eval, feedback export."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from assistant.cli_common import open_assistant, pass_settings
from assistant.settings import Settings


def _read_batch(path: Path, settings: Settings) -> list[dict[str, Any]]:
    """The cases of a JSONL batch file; any bad line stops the run with its line number and why."""
    from assistant.inputs import BadInput, check_message

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


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@click.option("--batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSONL file, one {"id": ..., "turns": [...]} a line; answers the last turn of each.')
@pass_settings
def ask(s: Settings, question: str | None, as_json: bool, batch: Path | None) -> None:
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
        cases = _read_batch(batch, s)
    else:
        try:
            cases = [{"id": None, "turns": [check_message(question, s)]}]
        except BadInput as e:
            raise click.ClickException(str(e)) from e
    a = open_assistant(s)
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


@click.command("eval")
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
                   "--cases: eval/dev-voices.jsonl, every other eval/dev-*.jsonl, eval/sealed.jsonl and "
                   "eval/sealed-b.jsonl, each beside its first sight where one is kept.")
@click.option("--lookups", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Call-centre look-ups typed into the directory search, one JSON a line. Default with the "
                   "default --cases: eval/lookups.jsonl.")
@pass_settings
def eval_cmd(s: Settings, cases: Path | None, out: Path | None, baselines: bool, compare: tuple[str, str] | None,
             gate: bool, thresholds: Path | None, also: tuple[Path, ...], lookups: Path | None) -> None:
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
        # Every further dev set (dev-voices, dev-c, dev-d, …), then the sealed ones: a new set is scored by adding it.
        sets = sets or [*sorted(s.eval_dir.glob("dev-*.jsonl"), key=lambda p: (p.stem != "dev-voices", p.stem)),
                        *sorted(s.eval_dir.glob("sealed*.jsonl"))]
        default_lookups = s.eval_dir / "lookups.jsonl"
        lookups = lookups or (default_lookups if default_lookups.exists() else None)
    try:
        total = count_steps(cases, baselines, sets, lookups)
    except (OSError, CaseError) as e:
        raise click.ClickException(str(e)) from e
    assistant = open_assistant(s)
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


@click.group()
def feedback() -> None:
    """Thumbs up/down left in the chat UI or through POST /api/feedback."""


@feedback.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the drafts to this JSONL file instead of standard output.")
@pass_settings
def feedback_export(s: Settings, out: Path | None) -> None:
    """Turn thumbs-down into draft eval cases in the eval/dev.jsonl format.

    Each draft keeps the conversation and what was answered; its `expect` is left
    empty and it is marked `"draft": true` until someone checks it against the document.

    \b
    Examples:
      kinki-assistant feedback export
      kinki-assistant feedback export --out eval/drafts.jsonl
    """
    from assistant.feedback import FeedbackError, FeedbackStore, draft_cases

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
