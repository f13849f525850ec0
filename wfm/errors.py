"""Typed errors. The command turns each into one clear line and a non-zero exit."""

from __future__ import annotations


class WfmError(Exception):
    """Base of every error wfm raises on purpose."""


class InputError(WfmError):
    """A user's file or setting is wrong.

    The message names the file, the column, the row and the fix, e.g.
    ``history.csv, row 1,204, column 'contacts': -3 is negative; contacts are counts >= 0``.
    Rows are counted as a spreadsheet shows them: the header is row 1, the first data row is row 2.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.row = row
        self.column = column
        self.fix = fix
        super().__init__(self.render())

    #: how the place inside the file is called: a column of a table, a key of a config
    place = "column"

    def render(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row:,}")
        if self.column is not None:
            where.append(f"{self.place} '{self.column}'")
        text = ", ".join(where)
        text = f"{text}: {self.problem}" if text else self.problem
        if self.fix:
            text = f"{text}; {self.fix}"
        return text


class ConfigError(InputError):
    """The center configuration (TOML) has an unknown key or an impossible value."""

    place = "key"


class ScheduleError(WfmError):
    """No roster could be built: the rules cannot all hold, or none was found in the time limit.

    The message lists the conflicting rules (which rule, which day, which agents) a planner can relax.
    """
