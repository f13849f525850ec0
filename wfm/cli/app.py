"""The `wfm` command's shared pieces: the Typer app, the console, config loading, progress.

Each stage lives in its own module of this package and registers its commands on ``app``;
:func:`wfm.cli.main` imports every module, runs the app, and turns a :class:`WfmError`
into one clear line on stderr and exit code 2 (never a traceback for a user mistake).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from wfm.config import CenterConfig

app = typer.Typer(
    name="wfm",
    help="Workforce management for contact centers: forecast contacts, staff them, "
    "build the roster, measure how it went.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)

def positive_number(value: float | None, flag: str, unit: str) -> float | None:
    """Refuse a flag's value that is not a finite number > 0 (``nan``, ``inf``, 0, -5) before
    any work, with the fix."""
    import math

    from wfm.errors import InputError

    if value is not None and not (math.isfinite(value) and value > 0):
        raise InputError(f"{flag} {value:g} is not a positive number of {unit}",
                         fix=f"give a finite {flag} > 0, e.g. {flag} 20, or leave it out for the default")
    return value


ConfigOption = typer.Option(
    Path("center.toml"), "--config", "-c", help="The center file (TOML): queues, hours, targets, shifts, contracts, rules."
)


def load_config(path: Path | None, *, sample: bool = False) -> CenterConfig:
    """The center's config: ``path``, or the bundled sample center when ``sample`` is set."""
    if sample:
        from wfm.sample import sample_config_path

        return CenterConfig.from_toml(sample_config_path())
    return CenterConfig.from_toml(path or Path("center.toml"))


def note(text: str) -> None:
    """A remark for the planner (e.g. rows sorted, gaps filled), on stderr."""
    err_console.print(f"[yellow]note:[/] {text}")


@contextlib.contextmanager
def progress(quiet: bool = False) -> Iterator[Progress]:
    """A progress display for long steps; silent when ``quiet`` or not a terminal."""
    p = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet,
    )
    with p:
        yield p
