"""The `ownbook` command line: the only module that parses arguments."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from . import __version__
from .load import load_model
from .problems import format_json, sorted_problems, summary
from .spec import json_schema


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date written YYYY-MM-DD") from None


CONTENT_DIR = click.argument(
    "content_dir",
    default="content",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
TODAY = click.option(
    "--today",
    metavar="YYYY-MM-DD",
    callback=_parse_date,
    help="Date to check review cadence against (default: today), for reproducible runs.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ownbook")
def cli() -> None:
    """Turn a YAML ownership model into a lifecycle handbook."""


@cli.command()
@CONTENT_DIR
@click.option("--strict", is_flag=True, help="Fail on warnings too (review reminders excepted).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the problems.",
)
@TODAY
def check(content_dir: Path, strict: bool, fmt: str, today: dt.date | None) -> None:
    """Validate the model in CONTENT_DIR (default: content).

    Exits 0 when there is no error (warnings allowed unless --strict), 1 when there are
    errors, 2 on a usage error.
    """
    checked = load_model(content_dir, today=today)
    problems = sorted_problems(checked.problems)
    if fmt == "json":
        click.echo(format_json(problems))
    else:
        for problem in problems:
            click.echo(problem.format())
        line = summary(problems, len(checked.files))
        if checked.model is not None:
            m = checked.model
            line += (
                f" ({len(m.teams)} teams, {len(m.stages)} stages, {len(m.activities)} "
                f"activities, {len(m.faqs)} FAQs, {len(m.glossary)} glossary terms)"
            )
        click.echo(line)
    raise SystemExit(1 if checked.fails(strict=strict) else 0)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of a model file (draft-07), for editors."""
    click.echo(json.dumps(json_schema(), indent=2))


def main() -> None:
    cli(prog_name="ownbook")
