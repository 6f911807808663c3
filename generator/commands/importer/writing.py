"""Writing the import: YAML the content folder's way (every name quoted as YAML needs), ids
from the validated slug rules, split into files below the loader's limits, and written
only into a folder that is safe to write.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import yaml

from ...model.load import MODEL_SUFFIXES
from ...model.objects import Letter
from ...model.rules import idle_teams
from . import common as common
from .common import (
    _CONTROL,
    ACTIVITY_FILE_BUDGET,
    ORGANIZATION_PLACEHOLDER,
    STAGE_SUMMARY_PLACEHOLDER,
    ImportMessage,
    ImportOptions,
    _Log,
    _one_line,
    _short,
    _valid_id,
    _visible,
)
from .layout import _Ids, _Parties
from .rows import _Activity, _Importer, _Stage

# --- YAML output -----------------------------------------------------------------------


class _Flow(list[str]):
    """A list written in flow style, `[a, b]`, as the content folder writes id lists."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that indents lists under their key, like the content folder does."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(str, _represent_str)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)


def _activity_yaml(activity: _Activity, ident: str) -> dict[str, object]:
    out: dict[str, object] = {"id": ident, "name": activity.name}
    if activity.kind is not None:
        out["kind"] = activity.kind
    out["stages"] = _Flow(list(dict.fromkeys([activity.stage.id, *(s.id for s in activity.also)])))
    if activity.summary:
        out["summary"] = activity.summary
    if activity.description:
        out["description"] = activity.description
    raci: dict[str, object] = {}
    for letter in Letter:  # the model's order: R, A, C, I; C and I only when held
        parties = activity.raci[letter.char]
        if letter is Letter.ACCOUNTABLE:
            raci[letter.value] = parties[0]
        elif parties or letter is Letter.RESPONSIBLE:
            raci[letter.value] = _Flow(parties)
    out["raci"] = raci
    return out


def _activity_ids(activities: list[_Activity], log: _Log) -> list[str]:
    ids = _Ids("activity")
    first: dict[str, str] = {}
    out = []
    for activity in activities:
        base, _ = ids.base(activity.name)
        if activity.ident is not None:
            if _valid_id(activity.ident):
                base = activity.ident
            else:
                log.warning(
                    activity.where,
                    f"'{_short(activity.ident)}' in the Id column is not a valid id "
                    f"(lowercase letters, digits and single hyphens); '{base}' is used",
                )
        ident = ids.claim(base)
        if ident != base:
            log.warning(
                activity.where,
                f"activity id '{base}' is already used by the activity in {first[base]}; "
                f"this one gets '{ident}'",
            )
        first.setdefault(ident, activity.cell)
        out.append(ident)
    return out


def _stage_ids(stages: list[_Stage], log: _Log) -> None:
    ids = _Ids("stage")
    for stage in stages:
        ids.give(stage, "stage", log)


def _build_files(
    importer: _Importer,
    parties: _Parties,
    title: str,
    log: _Log,
    options: ImportOptions | None = None,
) -> tuple[dict[str, str], int]:
    """The YAML files of the import, and how many activities they hold."""
    for stage in importer.stages.values():
        if stage.written:
            continue
        if stage.rows:
            text = f"stage '{_short(stage.name)}' is left out: none of its rows could be written"
        else:
            text = (
                f"'{_short(stage.name)}' reads as a stage heading, but no activity row follows "
                "it; it is not made a stage"
            )
        log.warning(stage.where, text)
    stages = [s for s in importer.stages.values() if s.written]
    _stage_ids(stages, log)
    activity_ids = _activity_ids(importer.activities, log)
    # A file name may hold line breaks or control characters; neither may reach a comment.
    source = _one_line(_CONTROL.sub("", importer.sheet.source))
    header = f"# Imported from {source} by `ownbook import`.\n"
    files: dict[str, str] = {}
    organization = _one_line(options.organization or "") if options else ""
    handbook = {
        "title": title,
        "organization": organization or ORGANIZATION_PLACEHOLDER,
        "lifecycle": _Flow([s.id for s in stages]),
        "loop": True,
    }
    files["handbook.yaml"] = (
        header
        + (
            ""
            if organization
            else "# Replace the organization placeholder with your organisation's name.\n"
        )
    ) + _dump({"handbook": handbook})
    teams = []
    for team in parties.teams.values():
        entry: dict[str, object] = {"id": team.id, "name": team.name}
        if team.summary:
            entry["summary"] = team.summary
        if team.roles:
            entry["roles"] = [{"id": r.id, "name": r.name} for r in team.roles.values()]
        teams.append(entry)
    files["teams.yaml"] = header + _dump({"teams": teams})
    files["stages.yaml"] = (
        header + "# Each summary is a placeholder: say what happens for the customer.\n"
    ) + _dump(
        {
            "stages": [
                {"id": s.id, "name": s.name, "summary": STAGE_SUMMARY_PLACEHOLDER} for s in stages
            ]
        }
    )
    if not organization:
        log.warning(
            "handbook.yaml", f"organization is the placeholder '{ORGANIZATION_PLACEHOLDER}'"
        )
    log.warning(
        "stages.yaml",
        f"each stage's summary is the placeholder '{STAGE_SUMMARY_PLACEHOLDER}'",
    )
    log.warning(
        "activities.yaml",
        "no activity has a 'reviewed' date; ownbook check reminds you of each (OB405) until "
        "its RACI is confirmed",
    )
    total = sum(len(text.encode()) for text in files.values())
    written = 0
    chunks: list[str] = []
    size = parts = 0
    for activity, ident in zip(importer.activities, activity_ids, strict=True):
        text = _dump({"activities": [_activity_yaml(activity, ident)]}).split("\n", 1)[1]
        length = len(text.encode())
        if total + length > common.MAX_MODEL_BYTES - ACTIVITY_FILE_BUDGET:
            left = len(importer.activities) - written
            log.error(
                activity.where,
                f"this activity and the {left - 1} after it are left out: the model would "
                f"exceed ownbook's limit of {common.MAX_MODEL_BYTES:,} bytes",
            )
            importer.skipped += left
            break
        if chunks and size + length > ACTIVITY_FILE_BUDGET:
            files[_activity_file(parts)] = header + "activities:\n" + "".join(chunks)
            chunks, size, parts = [], 0, parts + 1
        chunks.append(text)
        size += length
        total += length
        written += 1
    if chunks:
        files[_activity_file(parts)] = header + "activities:\n" + "".join(chunks)
    return files, written


def _activity_file(index: int) -> str:
    return "activities.yaml" if index == 0 else f"activities-{index + 1}.yaml"


def _unheld_teams(importer: _Importer, parties: _Parties, written: int, log: _Log) -> None:
    """Say now which teams `ownbook check` will call idle (OB401): its own rule, asked
    about the activities written."""
    held = (p for a in importer.activities[:written] for listed in a.raci.values() for p in listed)
    for team in idle_teams(parties.teams.values(), held):
        log.warning(
            team.where,
            f"team '{team.id}' holds no letter in any written activity; ownbook check "
            "warns about it (OB401)",
        )


def write_import(
    files: Mapping[str, str], out_dir: Path | str, *, force: bool = False
) -> tuple[ImportMessage, ...]:
    """Write the imported files into `out_dir`; returns what went wrong (empty: all written).

    The folder is decided on before anything is written, and never walked: a filesystem
    root or the home folder is refused always; a folder that holds anything but the files
    this import writes (another model would merge with the import, or it is simply not a
    content folder) is refused unless `force`, found by reading its entries only until the
    first one that is not the import's; an existing file of the import is not overwritten
    unless `force`. Nothing is written outside `out_dir`, and a symlink in place of a file
    is replaced, not followed.
    """
    out = Path(out_dir)
    log = _Log()
    shown = out.as_posix()
    for rel in files:
        pure = PurePosixPath(rel)
        if (
            pure.is_absolute()
            or not pure.parts
            or any(part in ("", ".", "..") for part in pure.parts)
            or "\\" in rel
            or pure.suffix != ".yaml"
        ):
            log.error(rel, f"refused: not a plain .yaml path inside {shown}")
    if out.exists() and not out.is_dir():
        log.error(shown, "is not a folder")
    if log.messages:
        return tuple(log.messages)
    root = out.resolve()
    refused = _never_an_import_folder(root)
    if refused is not None:
        log.error(shown, f"refused: {refused}; give a new folder, such as content")
        return tuple(log.messages)
    if out.is_dir():
        if not force:
            _foreign_entry(out, files, log)
        for rel in files:
            target = out / rel
            if target.is_dir() and not target.is_symlink():
                log.error(target.as_posix(), "is a folder; it cannot be replaced by a file")
            elif (target.exists() or target.is_symlink()) and not force:
                log.error(target.as_posix(), "already exists; use force to overwrite it")
    for rel in files:
        target = out / rel
        if not target.parent.resolve().is_relative_to(root):
            log.error(target.as_posix(), f"refused: it would be written outside {shown}")
    if any(m.severity == "error" for m in log.messages):
        return tuple(log.messages)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for rel, text in files.items():
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(target, text)
    except OSError as exc:
        log.error(shown, f"cannot write: {exc.strerror or exc}")
    return tuple(log.messages)


def _never_an_import_folder(resolved: Path) -> str | None:
    """Why a folder is never written into, whatever `force` says, or None."""
    if resolved.parent == resolved:
        return "it is the root of a filesystem"
    try:
        home = Path.home().resolve()
    except (RuntimeError, KeyError, OSError):  # no home folder is known
        home = None
    if resolved == home:
        return "it is your home folder"
    return None


def _foreign_entry(out: Path, files: Mapping[str, str], log: _Log) -> None:
    """Report the first entry of `out` that this import would not write, if any.

    Only the folder's own entries are read, and only until the first one that is not the
    import's: a huge folder costs as little as an empty one.
    """
    ours = {PurePosixPath(rel).parts[0] for rel in files}
    try:
        with os.scandir(out) as entries:
            for entry in entries:
                if entry.name in ours:
                    continue
                if entry.name.endswith(MODEL_SUFFIXES) and entry.is_file(follow_symlinks=False):
                    log.error(
                        (out / entry.name).as_posix(),
                        "other model file in the folder would be merged with the import",
                    )
                else:
                    log.error(
                        out.as_posix(),
                        f"refused: the folder holds '{_short(_visible(entry.name))}', which this "
                        "import does not write; give a new or empty folder, or use force",
                    )
                return
    except OSError as exc:
        log.error(out.as_posix(), f"cannot read the folder: {exc.strerror or exc}")


def _write_atomic(target: Path, text: str) -> None:
    """Write through a temporary file, so a symlink at `target` is replaced, not followed."""
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()
