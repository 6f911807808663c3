"""The `ownbook` command line: the only module that parses arguments.

Each command imports inside its function what only it uses (the renderer and Jinja, the
build pipeline, Zensical's engine, the staged output, the health report, git plumbing, the
diff, the importer, the scaffold, temporary folders):
`ownbook check`, which pre-commit and CI run on every change, then loads the model reader
and nothing more.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import sys
import time
from pathlib import Path
from types import ModuleType

import click

from .. import __version__
from ..build import engines
from ..model.load import Checked, load_model, no_cyclic_gc, unresolved_last
from ..model.problems import (
    OwnbookError,
    format_github,
    format_json,
    format_sarif,
    sorted_problems,
    summary,
    terminal_text,
)
from ..model.spec import did_you_mean, json_schema
from .sheet_options import import_options, options_from, read_sheet

# Generated folders carry this marker; `generate` only ever replaces a folder that has it.
GENERATED_MARKER = ".ownbook-generated"


def _say(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print for a terminal or a CI log: model text can carry invisible and bidirectional
    characters (control characters are refused at load), which are shown as escapes."""
    click.echo(terminal_text(str(message)), err=err, nl=nl)


def _config(config_file: Path | None, engine: str) -> Path:
    """The configuration named with -f, or the one the engine reads by default."""
    path = config_file or engines.default_config(engine, Path("."))
    if not path.is_file():
        raise click.BadParameter(f"no configuration file '{path}'", param_hint="'-f'")
    return path


def _zensical_note(folder: Path) -> None:
    """The one line that warns of a configuration `zensical build` would build empty."""
    note = engines.zensical_trap(folder)
    if note is not None:
        _say(note, err=True)


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


class _Commands(click.Group):
    """Click's group with ownbook's one place that turns a domain error into a message and
    an exit code (`OwnbookError.exit_code`), as Click does for its own exceptions: commands
    raise, they do not catch and exit."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OwnbookError as exc:
            _say(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ownbook")
def cli() -> None:
    """Turn a YAML ownership model into a lifecycle handbook."""


@cli.command()
@CONTENT_DIR
@click.option("--strict", is_flag=True, help="Fail on warnings too (review reminders excepted).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="How to print the problems.",
)
@click.option(
    "--review",
    is_flag=True,
    help="List only the review reminders (overdue, never reviewed), with due dates; "
    "they are warnings and never fail the command.",
)
@TODAY
def check(content_dir: Path, strict: bool, fmt: str, review: bool, today: dt.date | None) -> None:
    """Validate the model in CONTENT_DIR (default: content).

    Exits 0 when there is no error (warnings allowed unless --strict), 1 when there are
    errors, 2 on a usage error.
    """
    # The cyclic collector stays off until the model is gone: turned on with an XL model
    # alive, its first passes would walk the million objects the load made (0.1 s and more
    # at XL), though none of them is in a cycle and all are freed by reference counting.
    with no_cyclic_gc():
        code = _check(content_dir, strict, fmt, review, today)
    raise SystemExit(code)


def _check(content_dir: Path, strict: bool, fmt: str, review: bool, today: dt.date | None) -> int:
    """`check`'s work: prints the problems and gives the exit code."""
    checked = load_model(content_dir, today=today)
    if review:
        _print_reviews(checked, fmt, today or dt.date.today())
        return 1 if checked.errors else 0
    if fmt == "json":
        _say(format_json(checked.problems))
    elif fmt == "github":
        annotations = format_github(checked.problems)
        if annotations:
            _say(annotations)
        _say(summary(sorted_problems(checked.problems), len(checked.files)))
    elif fmt == "sarif":
        _say(format_sarif(checked.problems, __version__))
    else:
        _print_report(checked)
    _zensical_note(content_dir.resolve().parent)
    return 1 if checked.fails(strict=strict) else 0


REVIEW_CODES = ("OB404", "OB405")


def _print_reviews(checked: Checked, fmt: str, today: dt.date) -> None:
    """The review reminders, never reviewed first, then by file and line; model errors are
    printed too, since a model with errors has no reliable review dates."""
    errors = checked.errors
    problems = [p for p in checked.problems if p.code in REVIEW_CODES] + list(errors)
    model = checked.model
    if fmt == "json":
        _say(format_json(problems))
        return
    if fmt in ("github", "sarif"):
        _say(format_github(problems) if fmt == "github" else format_sarif(problems, __version__))
        return
    for problem in sorted(problems, key=lambda p: (p.code != "OB405", p.sort_key())):
        _say(problem.format())
    reminders = [p for p in problems if p.code in REVIEW_CODES]
    if model is None:
        _say(f"{len(errors)} error(s) in the model: fix them to see every review date")
    elif not reminders:
        _say(f"every activity was reviewed within its cadence on {today.isoformat()}")
    else:
        _say(
            f"{len(reminders)} of {len(model.activities)} activities need a review "
            f"(checked on {today.isoformat()})"
        )


def _print_report(checked: Checked, *, err: bool = False) -> None:
    problems = sorted_problems(checked.problems)
    for problem in problems:
        _say(problem.format(), err=err)
    line = summary(problems, len(checked.files))
    if checked.model is not None:
        m = checked.model
        line += (
            f" ({len(m.teams)} teams, {len(m.stages)} stages, {len(m.activities)} "
            f"activities, {len(m.faqs)} FAQs, {len(m.glossary)} glossary terms)"
        )
    _say(line, err=err)


def _checked_or_exit(
    content_dir: Path, strict: bool, today: dt.date | None, display_as: str | None = None
) -> Checked:
    checked = load_model(content_dir, today=today, display_as=display_as)
    if checked.fails(strict=strict) or checked.model is None:
        _print_report(checked, err=True)
        raise SystemExit(1)
    return checked


CONFIG = click.option(
    "-f",
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The handbook's configuration (default: mkdocs.yml; properdocs.yml first for ProperDocs).",
)
ENGINE = click.option(
    "--engine",
    type=click.Choice(engines.ENGINES),
    default="mkdocs",
    show_default=True,
    help="What builds the site: MkDocs 1.x, ProperDocs (its continuation) or Zensical "
    "(ownbook writes the pages and Zensical's configuration; see the README's engine table).",
)
CONTENT_OPT = click.option(
    "--content",
    "content_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The model folder, as set for the ownbook plugin (default: content/ beside the "
    "configuration).",
)


@cli.command()
@CONFIG
@CONTENT_OPT
@click.option(
    "-d",
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the site (default: site/ beside the configuration).",
)
@click.option("--strict", is_flag=True, help="Fail on any warning, of the model or of the engine.")
@TODAY
@ENGINE
def build(
    config_file: Path | None,
    content_dir: Path,
    site_dir: Path | None,
    strict: bool,
    today: dt.date | None,
    engine: str,
) -> None:
    """Check the model, then build the handbook site.

    The site is built into a temporary folder and replaces the previous one only when the
    build succeeds: a failed build leaves the previous site untouched.
    """
    from ..build import zensical as zensical_engine
    from ..build.output import refuse_output_link, staged_dir

    config = _config(config_file, engine)
    build_site = None if engine == "zensical" else plugin_module(engine).build_site
    root = config.parent.resolve()
    site = site_dir if site_dir is not None else config.parent / "site"
    # a site folder that is a link would be emptied through it: refuse it first
    refuse_output_link(site, root, what="site folder")
    chosen = unresolved_last(content_dir) if content_dir else None
    handbook = zensical_engine.read_handbook(config, chosen) if build_site is None else None
    if handbook is not None:
        content = handbook.content
    else:
        content = chosen or unresolved_last(root / "content")
    shown = os.path.relpath(content, root) if content.is_relative_to(root) else str(content)
    start = time.perf_counter()
    checked = _checked_or_exit(content, strict, today, Path(shown).as_posix())
    load_seconds = time.perf_counter() - start
    with staged_dir(site) as stage:
        if handbook is not None:
            zensical_engine.build(
                handbook,
                stage,
                strict=strict,
                checked=checked,
                today=today,
                say=lambda line: _say(line, err=True),
            )
        elif build_site is not None:
            build_site(
                config,
                stage,
                strict=strict,
                checked=checked,
                load_seconds=load_seconds,
                today=today,
            )
    if engine != "zensical":
        _zensical_note(root)
    _say(f"built the handbook into {site}")


@cli.command()
@CONFIG
@click.option("-a", "--dev-addr", metavar="IP:PORT", help="Address to serve on.")
@click.option("--strict", is_flag=True, help="Fail on any warning.")
@ENGINE
def serve(config_file: Path | None, dev_addr: str | None, strict: bool, engine: str) -> None:
    """Preview the handbook, rebuilding on every edit of the model or the theme."""
    from ..build import zensical as zensical_engine

    config = _config(config_file, engine)
    if engine == "zensical":
        zensical_engine.serve(
            config, dev_addr, strict=strict, say=lambda line: _say(line, err=True)
        )
    else:
        plugin_module(engine).serve_site(config, dev_addr, strict=strict)


@cli.command()
@CONTENT_DIR
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the pages into (replaced whole on success).",
)
@click.option(
    "--mkdocs-fragment",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the model's site_name and nav as a MkDocs config to INHERIT from.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@TODAY
def generate(
    content_dir: Path,
    out: Path,
    mkdocs_fragment: Path | None,
    strict: bool,
    today: dt.date | None,
) -> None:
    """Write the handbook pages as Markdown files, for engines that run no MkDocs plugin.

    The pages are the same as the ones the plugin adds in memory during a build.
    """
    _generate(content_dir, out, mkdocs_fragment, strict, today)


def _generate(
    content_dir: Path,
    out: Path,
    mkdocs_fragment: Path | None,
    strict: bool,
    today: dt.date | None,
) -> None:
    from ..build import assets
    from ..build.output import refuse_output_link, staged_dir, write_files
    from ..build.pipeline import cache_folder, render_site, site_files
    from ..render import RenderOptions, nav, site_name
    from ..render.svg import SvgCache

    cwd = Path.cwd()
    refuse_output_link(out, cwd)
    if mkdocs_fragment is not None and os.path.islink(mkdocs_fragment):
        raise OwnbookError(
            f"refusing to write {mkdocs_fragment}: it is a symlink, and ownbook never writes "
            "through a link; remove the link or choose another file"
        )
    checked = _checked_or_exit(content_dir, strict, today)
    assert checked.model is not None
    if out.exists() and any(out.iterdir()) and not (out / GENERATED_MARKER).exists():
        raise OwnbookError(
            f"{out} has files that ownbook did not generate; choose an empty or new folder"
        )
    options = RenderOptions(today=today or dt.date.today(), source_root=str(cwd))
    site = render_site(checked.model, content_dir, options, SvgCache(cache_folder(cwd)))
    files = site_files(checked.model, site)
    for failure in files.diagram_failures:
        _say(f"warning: diagram not drawn: {failure}", err=True)
    if files.diagram_failures and strict:
        raise SystemExit(1)
    pages = files.pages
    with staged_dir(out) as stage:
        write_files(stage, {**files.all(), GENERATED_MARKER: "Written by `ownbook generate`.\n"})
    if mkdocs_fragment is not None:
        fragment = assets.config_fragment(site_name(checked.model), nav(checked.model))
        mkdocs_fragment.write_text(json.dumps(fragment, indent=2) + "\n")
    _say(f"wrote {len(pages)} pages into {out}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of a model file (draft-07), for editors."""
    _say(json.dumps(json_schema(), indent=2))


@cli.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="content",
    show_default=True,
    help="The model folder (for git revisions: its path in the repository).",
)
@click.option(
    "--folders",
    is_flag=True,
    help="BASE and HEAD are content folders, not git revisions.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
)
def diff(base: str, head: str | None, content_dir: Path, folders: bool, fmt: str) -> None:
    """Show what changed in ownership between BASE and HEAD.

    BASE and HEAD are git revisions (the model is read at the --content path of each), or
    with --folders two content folders; HEAD defaults to the content folder as it is now.
    A name that is both a revision and a folder is refused. Prints Markdown fit for a
    pull-request comment.
    """
    import tempfile

    from ..history.diff import diff_models
    from ..history.gitio import printable
    from ..render.changes import format_json as diff_json
    from ..render.changes import format_markdown
    from ..render.escape import md_text

    with tempfile.TemporaryDirectory(prefix="ownbook-diff-") as tmp:
        sides = []
        for label, spec in (("base", base), ("head", head)):
            sides.append(_side(spec, content_dir, Path(tmp) / label, folders))
        base_label, head_label = base, head or "working tree"
        broken = [
            (lbl, c)
            for lbl, c in zip((base_label, head_label), sides, strict=True)
            if c.model is None
        ]
        if broken:
            for label, checked in broken:
                errors = [p for p in checked.problems if p.severity.value == "error"]
                shown = md_text(printable(label, 200))  # Markdown, as the changes are
                _say(f"The model at {shown} does not load ({len(errors)} errors):\n")
                _say("```")
                for problem in sorted_problems(errors):
                    _say(problem.format())
                _say("```")
            raise SystemExit(1)
        assert sides[0].model is not None and sides[1].model is not None
        changes = diff_models(sides[0].model, sides[1].model)
        if fmt == "json":
            _say(diff_json(changes, base_label, head_label))
        else:
            _say(format_markdown(changes, base_label, head_label), nl=False)


def _side(spec: str | None, content_dir: Path, scratch: Path, folders: bool) -> Checked:
    """The model of one side of a diff: the content folder as it is now (no `spec`), a
    folder (`folders`), or the content folder at a git revision, read from git's objects
    into `scratch`. A name that is both a revision and a folder is a usage error."""
    from ..history.gitio import locate, model_at, printable, resolve_commit

    if spec is None:
        return load_model(content_dir, display_as=content_dir.as_posix())
    shown = printable(spec, 200)
    if folders:
        if not Path(spec).is_dir():
            raise OwnbookError(f"no content folder '{shown}'", exit_code=2)
        return load_model(Path(spec), display_as=Path(spec).as_posix())
    if spec.startswith("-"):
        raise OwnbookError(f"a git revision may not start with '-': '{shown}'", exit_code=2)
    where = locate(content_dir)
    if where is None:
        raise OwnbookError(
            f"{printable(content_dir.as_posix(), 200)} is not inside a git repository "
            "(to compare two content folders, pass --folders)",
            exit_code=2,
        )
    sha = resolve_commit(where.root, spec)
    is_folder = Path(spec).is_dir()
    if sha is None:
        hint = "; to compare content folders, pass --folders" if is_folder else ""
        raise OwnbookError(f"unknown git revision '{shown}'{hint}", exit_code=2)
    if is_folder:
        raise OwnbookError(
            f"'{shown}' is both a git revision (commit {sha[:10]}) and a folder: pass "
            f"--folders to compare content folders, or write the revision as '{shown}^0'",
            exit_code=2,
        )
    return model_at(where.root, sha, where.rel, scratch, f"{shown}:{where.rel or '.'}")


@cli.command()
@CONTENT_DIR
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=".github/CODEOWNERS",
    show_default=True,
    help="The CODEOWNERS file to write (or compare with --check).",
)
@click.option(
    "--fallback",
    metavar="@ORG/TEAM",
    help="Required. Owner of what no team is accountable for, of the content folder and of "
    "the CODEOWNERS file itself. Never read from the file, which a pull request can change.",
)
@click.option("--check", is_flag=True, help="Fail if the file is not what the model gives.")
def codeowners(content_dir: Path, output: Path, fallback: str | None, check: bool) -> None:
    """Write CODEOWNERS so that a change to a model file is reviewed by its accountable teams.

    Run it at the repository root; paths in the file are relative to it. The file is
    replaced whole (a temporary file and a rename) and is refused when it, or a folder on
    its way, is a symlink.
    """
    from ..commands import codeowners as co

    root = Path.cwd()
    try:
        rel_output = co.repository_path(output, root)
        shown = co.repository_path(content_dir, root)
    except co.CodeownersError as exc:
        raise click.UsageError(f"{exc}; run ownbook codeowners at the repository root") from None
    checked = _checked_or_exit(content_dir, False, None, shown)
    assert checked.model is not None
    if fallback is None:
        orphans = co.needs_fallback(checked.model)
        why = (
            "no team is accountable for parts of " + ", ".join(orphans)
            if orphans
            else "every model file has an accountable team"
        )
        raise click.UsageError(
            f"--fallback is needed: {why}; the fallback owner also owns {shown}/ and "
            f"{rel_output} (it is given on the command line, never read from the file)"
        )
    problem = co.owner_problem(fallback)
    if problem is not None:
        raise click.BadParameter(
            f"'{co.visible(fallback)}' is not '@org/team' or '@user': {problem}",
            param_hint="--fallback",
        )
    try:
        text = co.render_codeowners(checked.model, shown, fallback, rel_output)
        existing = co.read_codeowners(root, rel_output) if check else None
    except co.CodeownersError as exc:
        raise OwnbookError(f"cannot {'check' if check else 'write'} {rel_output}: {exc}") from None
    except OSError as exc:
        raise OwnbookError(f"cannot read {rel_output}: {exc.strerror or exc}") from None
    if check:
        if existing == text:
            _say(f"{output} is up to date")
            return
        command = f"ownbook codeowners {shown} --fallback {fallback}"
        if rel_output != co.DEFAULT_FILE:
            command += f" -o {rel_output}"
        _say(f"{output} is out of date: run `{command}` and commit it", err=True)
        _say(co.shown_diff(existing or "", text, rel_output), err=True)
        raise SystemExit(1)
    try:
        co.write_codeowners(root, rel_output, text)
    except co.CodeownersError as exc:
        raise OwnbookError(f"refusing to write {rel_output}: {exc}") from None
    except OSError as exc:
        raise OwnbookError(f"cannot write {rel_output}: {exc.strerror or exc}") from None
    _say(f"wrote {output}")


@cli.command()
@click.argument("query", required=False)
@click.option(
    "--content",
    "content_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default="content",
    show_default=True,
    help="The model folder.",
)
@click.option(
    "--team", "team_id", metavar="TEAM", help="List what this team holds, by stage and letter."
)
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(1, 100),
    default=3,
    show_default=True,
    help="How many matches to show.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@TODAY
def who(
    query: str | None,
    content_dir: Path,
    team_id: str | None,
    limit: int,
    fmt: str,
    today: dt.date | None,
) -> None:
    """Answer "who owns QUERY?" from the model: activities by id, name, tag or words.

    Prints each match's RACI, escalation and review status, best match first. Exits 1
    when nothing matches.
    """
    from ..commands import who as w

    if (query is None) == (team_id is None):
        raise click.UsageError("give a QUERY or --team TEAM (one of them)")
    checked = _checked_or_exit(content_dir, False, today)
    model = checked.model
    assert model is not None
    day = today or dt.date.today()
    if team_id is not None:
        team = model.team_by_id.get(team_id)
        if team is None:
            hint = did_you_mean(team_id, list(model.team_by_id)) or "see `ownbook who --help`"
            raise click.BadParameter(f"unknown team '{team_id}'; {hint}", param_hint="--team")
        holdings = w.team_holdings(model, team_id)
        if fmt == "json":
            data = {
                "team": team.id,
                "name": team.name,
                "stages": [
                    {"stage": title, "letters": {letter: acts for letter, acts in letters}}
                    for title, letters in holdings
                ],
            }
            _say(json.dumps(data, indent=2, ensure_ascii=False))
            return
        total = sum(len(acts) for _, letters in holdings for _, acts in letters)
        _say(f"{team.name} holds {total} letters")
        for title, letters in holdings:
            _say(f"\n{title}")
            for letter, acts in letters:
                _say(f"  {letter}:")
                for act in acts:
                    _say(f"    - {act}")
        return
    assert query is not None
    matches = w.find(model, query, limit)
    if fmt == "json":
        rows = [
            {**w.describe(model, m.activity, day), "matched": m.why, "match": m.quality}
            for m in matches
        ]
        _say(json.dumps(rows, indent=2, ensure_ascii=False))
    elif matches:
        texts = []
        for m in matches:
            first, _, rest = w.format_activity(model, m.activity, day).partition("\n")
            texts.append(f"{first}\n  Match:       {m.quality}\n{rest}")
        _say("\n\n".join(texts))
    if not matches:
        if fmt == "text":
            _say(
                f"no activity matches '{query}'; try fewer words, or `ownbook who --team TEAM`",
                err=True,
            )
        raise SystemExit(1)


@cli.command()
@CONTENT_DIR
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--strict", is_flag=True, help="Exit 1 when there is any risk (reviews excepted).")
@TODAY
def report(content_dir: Path, fmt: str, strict: bool, today: dt.date | None) -> None:
    """Ownership health of the model: gaps and risks, reviews due, load per team and stage.

    The same report as the handbook's Health page.
    """
    from ..model import health as h

    checked = _checked_or_exit(content_dir, False, today)
    model = checked.model
    assert model is not None
    day = today or dt.date.today()
    health = h.assess(model, day)
    if fmt == "json":
        _say(json.dumps(h.to_json(health, day), indent=2, ensure_ascii=False))
    else:
        _say(h.to_text(model, health, day))
    raise SystemExit(1 if strict and health.risks else 0)


@cli.command(name="import")
@click.argument(
    "sheet_file", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the content YAML into.",
)
@import_options
@click.option("--title", help="The handbook's title (default: the sheet's title row).")
@click.option("--organization", help="Whose handbook it is (default: a placeholder).")
@click.option(
    "--force",
    is_flag=True,
    help="Write into a folder that holds other files, overwriting the import's own. A "
    "filesystem root or your home folder is refused even so.",
)
def import_(sheet_file: Path, out: Path, force: bool, **kwargs: object) -> None:
    """Turn a RACI sheet (.csv, .tsv, .xlsx or a Markdown table) into content YAML.

    The layout (header row, activity, id and stage columns, parties, ignored columns) is
    worked out from the cells and printed first, with the options that reproduce it; every
    decision can be overridden. Messages are grouped: one per distinct problem, with its
    count and first cells. Exits 0 when everything was placed, 1 when some rows were left
    out (the rest is written) or nothing could be written.
    """
    import tempfile

    from ..commands.importer.sheet import write_import

    result = read_sheet(sheet_file, options_from(kwargs), _say)
    if not result.files:
        _say(f"nothing written: no activity of {sheet_file} could be imported", err=True)
        raise SystemExit(1)
    problems = write_import(result.files, out, force=force)
    for message in problems:
        _say(message.format(), err=True)
    if any(m.severity == "error" for m in problems):
        raise SystemExit(1)
    # The import promises a model without errors: its files are checked on their own, in a
    # scratch folder, so that --out (perhaps a big folder, under --force) is never walked.
    with tempfile.TemporaryDirectory(prefix="ownbook-import-") as scratch:
        write_import(result.files, Path(scratch) / "content")
        checked = load_model(Path(scratch) / "content", display_as=out.as_posix())
    for problem in checked.errors:
        _say(problem.format(), err=True)
    _say(
        f"wrote {result.written} activities into {out} ({result.skipped} rows left out); "
        f"next: `ownbook check {out}`"
    )
    raise SystemExit(1 if result.errors or checked.errors else 0)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--example",
    type=click.Choice(["lifecycle"]),
    help="Write the full example playbook instead of the small starter model.",
)
@click.option("--title", help="The handbook's title (the starter's: Customer Lifecycle Handbook).")
@click.option("--organization", help="Whose handbook it is (the starter's: Example Co).")
@click.option(
    "--owner",
    metavar="@ORG/TEAM",
    help="Who owns what no team is accountable for, and CODEOWNERS itself (default: the "
    "placeholder @your-org/handbook-maintainers, to change).",
)
@click.option(
    "--from",
    "from_sheet",
    metavar="SHEET",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Start from a RACI sheet (.csv, .xlsx, .md) instead of the starter model, read as "
    "`ownbook import` reads it; the options below say how.",
)
@import_options
def new(
    folder: Path,
    example: str | None,
    title: str | None,
    organization: str | None,
    owner: str | None,
    from_sheet: Path | None,
    **kwargs: object,
) -> None:
    """Create a handbook repository in FOLDER (new, or an empty folder) that builds at once.

    It holds a starter model in content/ (or, with --from SHEET, the model imported from a
    spreadsheet, printing the layout it read), its schema, mkdocs.yml, requirements.txt
    pinning what builds the site, pre-commit hooks, CODEOWNERS, GitHub workflows for pull
    requests and publishing, and a README for the handbook's maintainers.
    """
    from ..commands import scaffold

    imported = None
    if from_sheet is not None:
        if example is not None:
            raise click.UsageError("give --example or --from, not both")
        options = options_from({**kwargs, "title": title, "organization": organization})
        result = read_sheet(from_sheet, options, _say)
        if not result.files:
            _say(f"nothing written: no activity of {from_sheet} could be imported", err=True)
            raise SystemExit(1)
        imported = result.files
    try:
        files = scaffold.scaffold_files(
            example=example,
            title=title if imported is None else None,
            organization=organization if imported is None else None,
            owner=owner or scaffold.DEFAULT_OWNER,
            imported=imported,
        )
        scaffold.write_scaffold(folder, files)
    except OSError as exc:
        raise OwnbookError(f"cannot write {folder}: {exc.strerror or exc}") from None
    _say(f"wrote a handbook into {folder} ({len(files)} files); next:")
    _say(f"  cd {folder}")
    _say("  ownbook build --strict   # or `ownbook serve` for a live preview")
    if owner is None:
        _say(f"and replace the placeholder owner {scaffold.DEFAULT_OWNER} (see {folder}/README.md)")


def main() -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    cli(prog_name="ownbook")


def plugin_module(engine: str) -> ModuleType:
    """The plugin module (the edge that knows MkDocs), imported for `engine` ("mkdocs" or
    "properdocs"). ProperDocs' alias of `mkdocs.*` must be in place before anything imports
    MkDocs, so the plugin is imported only here."""
    if engine == "properdocs":
        loaded = sys.modules.get("mkdocs")
        if loaded is not None and loaded.__name__ != "properdocs":
            raise OwnbookError(
                "ProperDocs cannot build in a process that has already imported MkDocs; "
                "run `ownbook build --engine properdocs` on its own"
            )
        try:
            importlib.import_module("properdocs.replacement")
        except ImportError as exc:
            raise OwnbookError(
                f"--engine properdocs needs ProperDocs ({engines.INSTALL['properdocs']}): {exc}"
            ) from None
    try:
        return importlib.import_module("ownbook.plugin")
    except ImportError as exc:
        raise OwnbookError(
            "building the handbook needs MkDocs 1.x (pip install 'mkdocs<2' mkdocs-material) "
            f"or ProperDocs (pip install properdocs), and neither imports: {exc}"
        ) from None
