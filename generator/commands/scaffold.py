"""`ownbook new`: a handbook repository of its own that builds at once.

`scaffold_files` turns the options into `{relative path: text}`: a starter model (or the
example playbook), its JSON Schema where the files' modelines find it, a minimal
`mkdocs.yml`, `requirements.txt` pinning what builds the site, the pre-commit hooks, the
CODEOWNERS file made from the model, the two GitHub workflows, `.gitignore` and a README
for the handbook's maintainers. The model it writes is loaded and checked before anything
is returned, and CODEOWNERS comes from that loaded model. `write_scaffold` writes the files
into a new or empty folder, all of them or none.

The templates are package data in `generator/scaffold/` (`ownbook/scaffold/` in a wheel);
their `__NAME__` placeholders are filled in one pass (a value is never searched for
placeholders), and the title and organisation go into YAML as double-quoted strings, so any
text stays the text typed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path, PurePosixPath

from .. import __version__
from ..build import assets
from ..build.output import absolute, first_link, staged_dir, write_files
from ..model.load import Checked, is_model_name, load_model
from ..model.problems import OwnbookError, format_problems
from ..model.spec import json_schema
from .codeowners import owner_problem, render_codeowners, visible

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "scaffold"
DEFAULT_OWNER = "@your-org/handbook-maintainers"
DEFAULT_TITLE = "Customer Lifecycle Handbook"
DEFAULT_ORGANIZATION = "Example Co"
EXAMPLES = ("lifecycle",)
CONTENT = "content"
SCHEMA_FILE = "schema/ownbook.schema.json"
CODEOWNERS_FILE = ".github/CODEOWNERS"
MODELINE = "# yaml-language-server: $schema="

# Template (package data; names there never start with a dot) -> path in the handbook.
TEMPLATES = {
    "mkdocs.yml": "mkdocs.yml",
    "requirements.txt": "requirements.txt",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "gitignore": ".gitignore",
    "README.md": "README.md",
    "workflow-pull-request.yml": ".github/workflows/pull-request.yml",
    "workflow-publish.yml": ".github/workflows/publish.yml",
}
STARTER = {
    "starter-handbook.yaml": "content/handbook.yaml",
    "starter-teams.yaml": "content/teams.yaml",
    "starter-stages.yaml": "content/stages.yaml",
    "starter-activities-attract.yaml": "content/activities/attract.yaml",
    "starter-activities-win.yaml": "content/activities/win.yaml",
    "starter-activities-grow.yaml": "content/activities/grow.yaml",
    "starter-faqs.yaml": "content/faqs.yaml",
    "starter-glossary.yaml": "content/glossary.yaml",
}

# What builds the site, pinned in requirements.txt to the versions installed here.
PINNED = (
    "mkdocs",
    "mkdocs-material",
    "pymdown-extensions",
    "Markdown",
    "pyromark",
    "nh3",
    "graphviz-pure",
    "PyYAML",
    "Jinja2",
    "click",
)

_PLACEHOLDER = re.compile(r"__([A-Z][A-Z_]*)__")
_GITHUB_ORG = "__GITHUB_ORG__"


class ScaffoldError(OwnbookError):
    """The handbook cannot be scaffolded as asked; the message is one line for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=1)


def yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back as exactly `text`: JSON's
    escapes (YAML's double-quoted style is a superset), with every character that is not
    printable (line and paragraph separators, a BOM, ...) escaped as well."""
    dumped = json.dumps(text, ensure_ascii=False)
    return "".join(
        c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
        for c in dumped
    )


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace each `__NAME__` in one pass; an unknown name is a bug in the template."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ScaffoldError(f"internal error: no value for the placeholder __{name}__")
        return values[name]

    return _PLACEHOLDER.sub(value, template)


def modeline(path: str) -> str:
    """The schema modeline of the model file at `path` (repository-relative), pointing at
    the scaffold's schema relative to the file's folder."""
    depth = len(PurePosixPath(path).parts) - 1
    return MODELINE + "../" * depth + SCHEMA_FILE


def with_modeline(path: str, text: str) -> str:
    """`text` with its first line the modeline for `path` (an existing one is replaced)."""
    first, newline, rest = text.partition("\n")
    if first.startswith("# yaml-language-server:"):
        text = rest if newline else ""
    return modeline(path) + "\n" + text


def pins() -> str:
    """The requirement lines: this ownbook and what it builds with, as installed now."""
    lines = [f"ownbook=={__version__}"]
    for name in PINNED:
        try:
            lines.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            raise ScaffoldError(
                f"{name} is not installed, so requirements.txt cannot pin it; reinstall "
                "ownbook (`pip install --force-reinstall ownbook`)"
            ) from None
    return "\n".join(lines)


def _template(name: str) -> str:
    return (TEMPLATE_DIR / name).read_text(encoding="utf-8")


def _github_org(owner: str) -> str | None:
    """The organisation of an `@org/team` owner (teams are then `@org/<team id>`); None
    for a `@user`, whose starter teams get no `github` and fall back to the owner."""
    org, slash, _ = owner[1:].partition("/")
    return org if slash else None


def starter_content(title: str, organization: str, owner: str, today: dt.date) -> dict[str, str]:
    org = _github_org(owner)
    values = {
        "TITLE": yaml_string(title),
        "ORGANIZATION": yaml_string(organization),
        "TODAY": today.isoformat(),
        "GITHUB_ORG": org or "",
    }
    files: dict[str, str] = {}
    for name, path in STARTER.items():
        lines = _template(name).splitlines(keepends=True)
        if org is None:
            lines = [line for line in lines if _GITHUB_ORG not in line]
        files[path] = with_modeline(path, fill("".join(lines), values))
    return files


def example_content(example: str, title: str | None, organization: str | None) -> dict[str, str]:
    """The example playbook's model files: modelines pointing at the scaffold's schema,
    `repo_url` removed (edit links would point at ownbook's repository), and the title and
    organisation replaced when given."""
    if example not in EXAMPLES:
        raise ScaffoldError(f"no example '{example}'; choose one of {', '.join(EXAMPLES)}")
    root = assets.EXAMPLE_DIR
    files: dict[str, str] = {}
    for source in sorted(root.rglob("*")):
        rel = source.relative_to(root).as_posix()
        if source.is_symlink() or not source.is_file() or not is_model_name(rel):
            continue
        path = f"{CONTENT}/{rel}"
        text = source.read_text(encoding="utf-8")
        if re.search(r"^handbook:", text, flags=re.M):
            text = re.sub(r"^  repo_url:.*\n", "", text, flags=re.M)
            for key, value in (("title", title), ("organization", organization)):
                if value is not None:  # a function as replacement: no escapes are read
                    line = f"  {key}: {yaml_string(value)}"
                    text = re.sub(rf"^  {key}:.*$", _literal(line), text, count=1, flags=re.M)
        files[path] = with_modeline(path, text)
    if not files:
        raise ScaffoldError(f"the example '{example}' is missing from this installation")
    return files


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement for `re.sub` that is `text` as it is (a string would have its
    backslashes read as escapes)."""
    return lambda _match: text


def _load(content: Mapping[str, str], today: dt.date) -> Checked:
    """Load the model files in a scratch folder, named as they will be in the handbook."""
    with tempfile.TemporaryDirectory(prefix="ownbook-new-") as scratch:
        write_files(Path(scratch), content)
        return load_model(Path(scratch) / CONTENT, today=today, display_as=CONTENT)


def scaffold_files(
    *,
    example: str | None = None,
    title: str | None = None,
    organization: str | None = None,
    owner: str = DEFAULT_OWNER,
    today: dt.date | None = None,
    imported: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every file of a new handbook repository, by path relative to its root.

    `imported` (from `new --from SHEET`) are the model files an import made, which become
    the content in place of the starter: they must load without errors; their warnings
    (placeholders, reviews to confirm) were printed by the import and are the reader's to
    settle, so they do not stop the scaffold as the starter's would."""
    problem = owner_problem(owner)
    if problem is not None:
        raise OwnbookError(
            f"--owner '{visible(owner)}' is not '@org/team' or '@user': {problem}", exit_code=2
        )
    day = today or dt.date.today()
    if imported is not None:
        content = {
            f"{CONTENT}/{rel}": with_modeline(f"{CONTENT}/{rel}", text)
            for rel, text in imported.items()
        }
    elif example is None:
        content = starter_content(
            DEFAULT_TITLE if title is None else title,
            DEFAULT_ORGANIZATION if organization is None else organization,
            owner,
            day,
        )
    else:
        content = example_content(example, title, organization)
    checked = _load(content, day)
    model = checked.model
    if model is None or checked.fails(strict=imported is None):
        raise ScaffoldError(
            "the new handbook's model does not pass `ownbook check --strict`:\n"
            + format_problems(checked.problems)
        )
    wanted = {"title": title, "organization": organization} if imported is None else {}
    for key, value in wanted.items():
        if value is not None and getattr(model.handbook, key) != value:
            raise ScaffoldError(f"internal error: the handbook's {key} did not read back")
    values = {
        "TITLE": yaml_string(model.handbook.title),
        "OWNER": owner,
        "VERSION": __version__,
        "PINS": pins(),
    }
    files = dict(content)
    files[SCHEMA_FILE] = json.dumps(json_schema(), indent=2) + "\n"
    for name, path in TEMPLATES.items():
        files[path] = fill(_template(name), values)
    files[CODEOWNERS_FILE] = render_codeowners(model, CONTENT, owner, CODEOWNERS_FILE)
    return dict(sorted(files.items()))


def write_scaffold(folder: Path, files: Mapping[str, str]) -> None:
    """Write `files` into `folder`, which must not exist yet or be an empty folder; a
    folder that is a symlink is refused. Either every file is written or none is."""
    folder = absolute(folder)
    if first_link(folder) is not None:
        raise ScaffoldError(
            f"refusing to write into {folder}: it is a symlink; choose a real folder"
        )
    if os.path.lexists(folder):
        if not os.path.isdir(folder):
            raise ScaffoldError(f"refusing to write into {folder}: it is not a folder")
        try:
            entries = os.listdir(folder)
        except OSError as exc:
            raise ScaffoldError(f"cannot read {folder}: {exc.strerror or exc}") from None
        if entries:
            raise ScaffoldError(
                f"refusing to write into {folder}: it is not empty ({len(entries)} "
                "entries); choose a new or empty folder"
            )
        _fill_empty(folder, files)
        return
    with staged_dir(folder) as stage:
        write_files(stage, files)


def _fill_empty(folder: Path, files: Mapping[str, str]) -> None:
    """Fill an existing empty folder (perhaps the working folder, which must stay the same
    folder): the files are written into a stage inside it, then each top-level entry is
    moved out; on any failure what was moved goes back and the stage is removed."""
    try:
        stage = Path(tempfile.mkdtemp(prefix=".ownbook-new-", dir=folder))
    except OSError as exc:
        raise ScaffoldError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    moved: list[str] = []
    try:
        write_files(stage, files)
        for name in sorted(os.listdir(stage)):
            if os.path.lexists(folder / name):
                raise ScaffoldError(f"refusing to write into {folder}: {name} appeared in it")
            os.rename(stage / name, folder / name)
            moved.append(name)
        os.rmdir(stage)
    except BaseException:
        for name in reversed(moved):
            os.rename(folder / name, stage / name)
        shutil.rmtree(stage, ignore_errors=True)
        raise
