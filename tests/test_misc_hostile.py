"""Hostile input to `ownbook import`: folders it must not write into or walk, and workbooks
built to exhaust memory. Each case is checked as a user sees it: the exact message, the exit
status, no traceback, and (for the workbooks) the peak memory of a fresh process.

Peak memory (ru_maxrss of a process started from a shell) and time of `import_sheet` on
~256 KB workbooks, openpyxl before and the streaming reader after, one run on the 2-core
development machine (a bare `import ownbook.commands.importer.sheet` is about 27 MB):

- 106 MB of two-letter shared strings: 931 MB, 161 s -> 22 MB (refused by the zip check);
- 25 MB of them, ratio 99x (within the zip limits): 241 MB, 46 s -> 57 MB (refused at
  500,000 strings);
- one shared string of 25 MB: 75 MB -> 27 MB (cut to 100,000 characters while read);
- one row of 6 million empty cells under a dimension of A1:XFD1048576: 1,953 MB, 29 s ->
  27 MB, 0.2 s (stopped at 16,384 cells);
- one row of 64 million empty cells (262 MB unpacked): MemoryError at a 6 GB cap ->
  22 MB (refused by the zip check);
- a million rows of one empty cell at XFD: killed after 300 s -> 28 MB, 1.8 s (stopped at
  250,000 rows);
- 550,000 rows naming one 96,000-character shared string: MemoryError at a 4 GB cap ->
  40 MB, 4.5 s (stopped at ten characters of text per byte of the file);
- 55,000 rows of 20 cells holding '7' (300 KB): 471 MB, 31 s -> 82 MB, 27 s (1.1 million
  messages, of which the first 10,000 are listed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from ownbook.cli.app import cli

from tests.test_import import HEADER_XML, NS, PKG_RELS, REL_NS

KB = 1024


def ownbook_import(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["import", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    source = tmp_path / "raci.csv"
    source.write_text("Activity,Sales\nClose deals,A/R\n", encoding="utf-8")
    return source


# --- --out: decided on before anything is written, never walked -----------------------------


@pytest.fixture
def no_walk_under(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Fail when os.walk enters one of the returned folders (the import's own check walks
    only its scratch copy)."""
    guarded: list[Path] = []
    real_walk = os.walk

    def walk(top: object, *args: object, **kwargs: object) -> object:
        path = Path(os.fspath(top)).resolve()  # type: ignore[arg-type]
        for folder in guarded:
            if path == folder.resolve() or path.is_relative_to(folder.resolve()):
                raise AssertionError(f"{folder} was walked")
        return real_walk(top, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "walk", walk)
    return guarded


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_import_into_a_filesystem_root_is_refused(
    sheet: Path, no_walk_under: list[Path], force: list[str]
) -> None:
    no_walk_under.append(Path("/"))
    code, out = ownbook_import(str(sheet), "--out", "/", *force)
    assert code == 1
    assert out.splitlines()[-1] == (
        "/: error: refused: it is the root of a filesystem; give a new folder, such as content"
    )


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_import_into_the_home_folder_is_refused(
    sheet: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_walk_under: list[Path],
    force: list[str],
) -> None:
    home = tmp_path / "home"
    (home / "projects").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home / "projects")
    no_walk_under.append(home)
    code, out = ownbook_import(str(sheet), "--out", "..", *force)
    assert (code, out.splitlines()[-1]) == (
        1,
        "..: error: refused: it is your home folder; give a new folder, such as content",
    )
    assert sorted(p.name for p in home.iterdir()) == ["projects"]


def test_import_into_a_folder_it_did_not_write_needs_force(
    sheet: Path, tmp_path: Path, no_walk_under: list[Path]
) -> None:
    out = tmp_path / "project"
    (out / "src").mkdir(parents=True)
    (out / "src" / "broken.yaml").write_text("teams: [\n")  # another model, deep inside
    no_walk_under.append(out)
    code, text = ownbook_import(str(sheet), "--out", str(out))
    assert code == 1
    assert text.splitlines()[-1] == (
        f"{out.as_posix()}: error: refused: the folder holds 'src', which this import does not "
        "write; give a new or empty folder, or use force"
    )
    assert sorted(p.name for p in out.iterdir()) == ["src"]
    # With --force the import is written and only its own files are checked: the folder's
    # other content is not walked (the summary says to run `ownbook check` on it).
    code, text = ownbook_import(str(sheet), "--out", str(out), "--force")
    assert code == 0
    assert text.splitlines()[-1] == (
        f"wrote 1 activities into {out} (0 rows left out); next: `ownbook check {out}`"
    )
    assert (out / "handbook.yaml").is_file()


def test_import_over_a_symlinked_file_replaces_the_link(sheet: Path, tmp_path: Path) -> None:
    out = tmp_path / "content"
    out.mkdir()
    outside = tmp_path / "outside.yaml"
    outside.write_text("keep\n")
    (out / "teams.yaml").symlink_to(outside)
    code, text = ownbook_import(str(sheet), "--out", str(out))
    assert (code, text.splitlines()[-1]) == (
        1,
        f"{out.as_posix()}/teams.yaml: error: already exists; use force to overwrite it",
    )
    assert ownbook_import(str(sheet), "--out", str(out), "--force")[0] == 0
    assert outside.read_text() == "keep\n" and not (out / "teams.yaml").is_symlink()


# --- workbooks built to exhaust memory -------------------------------------------------------

CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/strings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


def bomb(
    path: Path,
    part: str,
    head: str,
    unit: str,
    tail: str,
    *,
    unpacked: int,
    rows: str = HEADER_XML,
) -> Path:
    """A ~256 KB workbook whose `part` is head + unit * n + tail, about `unpacked` bytes,
    padded with incompressible bytes so that it passes the zip checks when under 100x.
    `rows` are the sheet's rows when the sheet is not the bomb."""
    sheet = f"<worksheet {NS}><sheetData>{rows}</sheetData></worksheet>"
    strings = f"<sst {NS}/>"
    rels = (
        f'{PKG_RELS}<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/s.xml"/>'
        f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="strings.xml"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(
            "_rels/.rels",
            f'{PKG_RELS}<Relationship Id="r" Type="{REL_NS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {NS} xmlns:r="{REL_NS}"><sheets><sheet name="RACI" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        for name, text in (("xl/worksheets/s.xml", sheet), ("xl/strings.xml", strings)):
            if name != part:
                archive.writestr(name, text)
        with archive.open(part, "w", force_zip64=True) as out:
            out.write(head.encode())
            chunk = (unit * (64 * KB // len(unit))).encode()
            for _ in range(unpacked // len(chunk)):
                out.write(chunk)
            out.write(tail.encode())
        assert archive.fp is not None
        pad = 256 * KB - archive.fp.tell() - 2 * KB
        if pad > 0:
            archive.writestr("xl/media/pad.bin", os.urandom(pad), zipfile.ZIP_STORED)
    return path


# ru_maxrss of a child counts the parent's memory at fork (it survives exec), so under
# pytest it starts high; VmHWM, the peak of the process's own address space since exec, is
# read instead where /proc has it (Linux).
PEAK = """
import json, resource, sys
from ownbook.commands.importer.sheet import import_sheet
result = import_sheet(sys.argv[1])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
except OSError:
    pass
print(json.dumps({"peak_mb": peak, "messages": [m.format() for m in result.messages]}))
"""


def peak_import(path: Path) -> tuple[float, list[str]]:
    """Import `path` in a fresh process: (peak resident memory in MB, the messages)."""
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    return data["peak_mb"], data["messages"]


@pytest.mark.slow
def test_a_zip_bomb_of_shared_strings_is_refused_from_its_directory(tmp_path: Path) -> None:
    path = bomb(
        tmp_path / "strings.xlsx",
        "xl/strings.xml",
        f"<sst {NS}>",
        "<si><t>ab</t></si>",
        "</sst>",
        unpacked=100 * 1024 * KB,
    )
    assert path.stat().st_size <= 300 * KB
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    peak, messages = peak_import(path)
    assert messages == [
        f"strings.xlsx: error: workbook unpacks to {unpacked:,} bytes, over the limit of 67,108,864"
    ]
    assert peak < 64, peak  # openpyxl took 931 MB


def test_one_enormous_shared_string_is_cut_while_it_is_read(tmp_path: Path) -> None:
    # the enormous string is a header cell, right of the header
    rows = HEADER_XML.replace("</row>", '<c r="C1" t="s"><v>1</v></c></row>')
    rows += '<row r="2"><c r="A2" t="s"><v>0</v></c>'
    rows += '<c r="B2" t="inlineStr"><is><t>A/R</t></is></c></row>'
    head = f"<sst {NS}><si><t>Close deals</t></si><si><t>"
    path = bomb(
        tmp_path / "one-string.xlsx",
        "xl/strings.xml",
        head,
        "abcdefgh",
        "</t></si></sst>",
        unpacked=24 * 1024 * KB,
        rows=rows,
    )
    with zipfile.ZipFile(path) as archive:
        length = archive.getinfo("xl/strings.xml").file_size - len(head + "</t></si></sst>")
    peak, messages = peak_import(path)
    assert messages[0] == (
        f"one-string.xlsx:RACI!C1: error: text of {length:,} characters is cut to the limit of "
        "100,000; the rest is not placed"
    )
    assert peak < 64, peak  # openpyxl held the whole string: 75 MB for this one


def test_a_row_of_millions_of_empty_cells_stops_at_the_column_count(tmp_path: Path) -> None:
    head = (
        f'<worksheet {NS}><dimension ref="A1:XFD1048576"/><sheetData>{HEADER_XML}'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Close</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>A/R</t></is></c></row><row r="3">'
    )
    path = bomb(
        tmp_path / "wide.xlsx",
        "xl/worksheets/s.xml",
        head,
        "<c/>",
        "</row></sheetData></worksheet>",
        unpacked=24 * 1024 * KB,
    )
    peak, messages = peak_import(path)
    assert messages[0] == (
        "wide.xlsx:RACI!A3: error: this row and the rows below it are not read: it holds more "
        "than 16,384 cells, more than a sheet has columns"
    )
    assert peak < 64, peak  # openpyxl took 1,953 MB


@pytest.mark.slow
def test_cells_repeating_a_long_shared_string_stop_at_the_text_budget(tmp_path: Path) -> None:
    """20 bytes of sheet name a 96,000-character shared string: the sheet may give no more
    text than ten times the file's size, so a 256 KB workbook cannot become gigabytes."""
    rows = '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>'
    path = bomb(
        tmp_path / "repeat.xlsx",
        "xl/worksheets/s.xml",
        f"<worksheet {NS}><sheetData>{HEADER_XML}",
        rows,
        "</sheetData></worksheet>",
        unpacked=8 * 1024 * KB,
    )
    long_name = "Close deals " * 8000
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    parts["xl/strings.xml"] = f"<sst {NS}><si><t>{long_name}</t></si><si><t>A/R</t></si></sst>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    budget = 10 * path.stat().st_size
    per_row = len(long_name.strip()) + 3
    peak, messages = peak_import(path)
    stop = 2 + (budget - len("ActivitySales")) // per_row  # the first row over the budget
    assert messages[0] == (
        f"repeat.xlsx:RACI!A{stop}: error: this row and the rows below it are not read: the "
        f"sheet's cells repeat more text than the workbook holds (the limit is {budget:,} "
        "characters)"
    )
    assert peak < 100, peak  # before: every row's name copied, MemoryError at 4 GB
