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
    """Run the command; user mistakes become one line on stderr and exit code 2.

    Usage errors (an unknown flag, a missing option) are reported by the CLI library itself,
    also with exit code 2.
    """
    try:
        app(args=argv, prog_name="wfm")
    except WfmError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("interrupted; nothing half-written was left behind")
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def _entry() -> None:
    sys.exit(main())
