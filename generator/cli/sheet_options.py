"""The command-line options that say how a sheet is read, shared by `import` and `new --from`.

Kept apart from `app.py` so both commands offer the same options with the same words, and the
layout printed names options that exist.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # the importer is loaded when a sheet is read, not with every command
    from ..commands.importer.sheet import ImportOptions, ImportResult


def import_options(function: Any) -> Any:
    """The options of `import` that decide how a sheet is read (shared with `new --from`)."""
    options = [
        click.option(
            "--sheet",
            metavar="NAME",
            help="The worksheet of an .xlsx file (default: the one with the most letters).",
        ),
        click.option("--table", type=int, metavar="N", help="The Nth table of a .md file."),
        click.option("--header-row", type=int, metavar="N", help="The row of party names."),
        click.option("--activity-column", metavar="COL", help="Column of the activity names."),
        click.option("--id-column", metavar="COL", help="Column of the activity ids."),
        click.option("--stage-column", metavar="COL", help="Column of the stage names."),
        click.option("--ignore-column", multiple=True, metavar="COL", help="A column not to read."),
        click.option(
            "--party-column",
            multiple=True,
            metavar="COL",
            help="A column of letters to read as a party, whatever else it holds.",
        ),
        click.option(
            "--transpose/--no-transpose",
            default=None,
            help="Parties are rows, activities columns (default: from the top-left cell).",
        ),
        click.option(
            "--letter-columns/--no-letter-columns",
            default=None,
            help="Columns headed Responsible, Accountable, Consulted, Informed (or R, A, C, "
            "I) list the parties in their cells, or are parties (default: from the cells).",
        ),
        click.option(
            "--roles/--no-roles",
            default=None,
            help="Read 'Team / Role', 'Team: Role', 'Role (Team)' as roles, or keep the "
            "names whole (default: roles only when a team recurs).",
        ),
        click.option(
            "--blank", multiple=True, metavar="TEXT", help="A cell text meaning not involved."
        ),
        click.option(
            "--support",
            type=click.Choice(["consulted", "responsible"]),
            help="How RASCI's S (Support) is read; a sheet with S needs it.",
        ),
        click.option(
            "--a-without-r",
            type=click.Choice(["responsible", "skip"]),
            default="responsible",
            show_default=True,
            help="A row with an A but no R: the accountable party also does the work, or "
            "the row is left out.",
        ),
        click.option("--stage", metavar="NAME", help="The stage of rows under no stage."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def options_from(kwargs: Mapping[str, Any]) -> ImportOptions:
    """The options a command was given, as the importer takes them."""
    from ..commands.importer.sheet import ImportOptions

    return ImportOptions(
        sheet=kwargs["sheet"],
        table=kwargs["table"],
        header_row=kwargs["header_row"],
        activity_column=kwargs["activity_column"],
        id_column=kwargs["id_column"],
        stage_column=kwargs["stage_column"],
        ignore_columns=tuple(kwargs["ignore_column"]),
        party_columns=tuple(kwargs["party_column"]),
        transpose=kwargs["transpose"],
        letter_columns=kwargs.get("letter_columns"),
        roles=kwargs["roles"],
        blank=tuple(kwargs["blank"]),
        support=kwargs["support"],
        a_without_r=kwargs["a_without_r"],
        title=kwargs.get("title"),
        organization=kwargs.get("organization"),
        stage=kwargs["stage"],
    )


def read_sheet(sheet_file: Path, options: ImportOptions, say: Callable[..., None]) -> ImportResult:
    """Import a sheet, printing the layout it read and then its messages (stderr)."""
    from ..commands.importer.sheet import import_sheet

    result = import_sheet(sheet_file, options=options)
    if result.layout:
        say(f"layout of {sheet_file.name}:", err=True)
        for line in result.layout:
            say(f"  {line}", err=True)
    for message in result.messages:
        say(message.format(), err=True)
    return result
