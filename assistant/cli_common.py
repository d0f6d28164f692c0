"""What every command of the CLI shares: the settings from click's context, and the index opened with a progress bar."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from assistant.settings import Settings

if TYPE_CHECKING:  # imported when a command runs: `--help` must not load the models
    from assistant.service import Assistant

# The group puts the settings in click's context object (tests hand their own in: invoke(..., obj=settings));
# a command decorated with this receives them as its first argument.
pass_settings = click.make_pass_decorator(Settings)


def progress_bar() -> Any:
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


def open_assistant(settings: Settings) -> Assistant:
    """The assistant over the settings' index; a missing or damaged index is a message saying how to build it."""
    from assistant.index import IndexCorrupt, IndexMissing
    from assistant.service import build_assistant

    try:
        return build_assistant(settings, progress=progress_bar())
    except (IndexMissing, IndexCorrupt) as e:
        raise click.ClickException(f"{e}\nBuild it first:  kinki-assistant build-index") from e
