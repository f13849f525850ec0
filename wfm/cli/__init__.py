"""The `wfm` command. Every module in this package adds its subcommands to ``app``."""

from __future__ import annotations

import importlib
import pkgutil
import sys

from wfm.cli.app import app, err_console
from wfm.errors import WfmError

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name != "app":
        importlib.import_module(f"{__name__}.{_mod.name}")


def main(argv: list[str] | None = None) -> int:
    """Run the command; user mistakes become one line on stderr and exit code 2."""
    try:
        app(args=argv, standalone_mode=False)
    except WfmError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("interrupted; nothing half-written was left behind")
        return 130
    except SystemExit as exc:  # typer/click exits (e.g. --help) pass through
        return int(exc.code or 0)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return exc.exit_code
        if isinstance(exc, click.exceptions.Abort):
            return 1
        raise
    return 0


def _entry() -> None:
    sys.exit(main())
