"""The file system a pull request brings is untrusted too: symlinks, special files and unsafe
names under content/, a committed or linked cache, a linked output folder. Each is refused
at its path with a stable code or one clear message, nothing is read, written or deleted
through a link, and no command shows a traceback or hangs."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from ownbook.build.output import (
    prepare_cache_dir,
    remove_leftovers,
    staged_dir,
    swap_in,
    write_files,
)
from ownbook.cli.app import GENERATED_MARKER, cli
from ownbook.model import load as load_mod
from ownbook.model.load import NotRegular, load_model, open_regular
from ownbook.model.problems import OwnbookError, format_github, format_json
from ownbook.render.svg import SvgCache

from tests.conftest import BASE, TODAY, make_project
from tests.conftest import write_files as write_model
from tests.test_build import ENV, mkdocs, ownbook

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symlinks, FIFOs and sockets")

# An unknown key (OB101) if anything ever read it: a refused file's problems are never shown.
BOGUS = "bogus: this file was read\n"
SYMLINK = (
    "error OB017: this is a symlink, and ownbook does not follow links in the content "
    "folder; put the file or folder itself here, or remove the link"
)
NAME_HINT = (
    "use only letters, digits, '-', '_' and '.' in the names of model files and their folders"
)


def digest(folder: Path) -> dict[str, str]:
    """Every file and link under `folder` (links by target, never followed), hashed."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[rel] = "folder"
    return out


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the project, with files that must survive every test."""
    folder = tmp_path / "outside"
    write_model(folder, {"secret.yaml": BOGUS, "keep.txt": "keep me\n", "deep/note.md": "x\n"})
    return folder


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return write_model(tmp_path / "content", {"base.yaml": BASE})


def found(content: Path) -> list[tuple[str, str]]:
    checked = load_model(content, today=TODAY, display_as="content")
    return [(p.code, str(p.pos)) for p in checked.problems]


# --- symlinks under content/ ----------------------------------------------------------------

LINKS: dict[str, Callable[[Path, Path], str]] = {
    "passwd.yaml": lambda _c, _o: "/etc/passwd",
    "logo.png": lambda _c, _o: "/etc/passwd",  # not a model file: MkDocs would publish it
    "secret.yaml": lambda _c, o: str(o / "secret.yaml"),
    "linked": lambda _c, o: str(o),  # a folder outside
    "gone.yaml": lambda _c, _o: "missing.yaml",  # dangling
    "loop": lambda _c, _o: "loop",  # a link to itself, as a folder
    "again.yaml": lambda _c, _o: "base.yaml",  # a file inside content/
    "sub/up.yaml": lambda _c, _o: "../base.yaml",
    "sub/parent": lambda _c, _o: "..",  # a folder loop through the parent
}


@pytest.mark.parametrize("name", LINKS)
def test_every_symlink_is_refused_at_its_path_unread(
    name: str, content: Path, outside: Path
) -> None:
    link = content / name
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(LINKS[name](content, outside))
    before = digest(outside)
    assert found(content) == [("OB017", f"content/{name}")]  # and no OB101: nothing read
    assert digest(outside) == before


def test_a_symlink_is_reported_like_a_compiler(content: Path) -> None:
    (content / "x.yaml").symlink_to("/etc/passwd")
    [problem] = load_model(content, today=TODAY, display_as="content").problems
    assert problem.format() == f"content/x.yaml: {SYMLINK}"


def test_a_content_folder_that_is_a_symlink_is_refused(tmp_path: Path, content: Path) -> None:
    (tmp_path / "linked").symlink_to(content)
    checked = load_model(tmp_path / "linked", today=TODAY, display_as="linked")
    assert [(p.code, str(p.pos)) for p in checked.problems] == [("OB017", "linked")]
    assert checked.model is None


# --- special files ----------------------------------------------------------------------------


def test_a_fifo_does_not_hang_ownbook_check(tmp_path: Path, content: Path) -> None:
    os.mkfifo(content / "pipe.yaml")
    os.mkfifo(content / "notes")
    proc = subprocess.run(
        [sys.executable, "-m", "ownbook", "check", "content"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,  # a blocking open would never return
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stdout.splitlines() == [
        "content/notes: error OB017: this is a FIFO (named pipe), not a regular file or "
        "folder; remove it: the content folder may hold only regular files and folders",
        "content/pipe.yaml: error OB017: this is a FIFO (named pipe), not a regular file or "
        "folder; remove it: the content folder may hold only regular files and folders",
        "2 errors, 0 warnings in 2 files",
    ]


def test_a_socket_is_refused(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(content)  # a socket path is limited to about 100 bytes
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("sock.yaml")
        checked = load_model(content, today=TODAY, display_as="content")
    assert [(p.code, str(p.pos), p.message) for p in checked.problems] == [
        ("OB017", "content/sock.yaml", "this is a socket, not a regular file or folder")
    ]


def test_a_device_is_refused(content: Path) -> None:
    try:
        os.mknod(content / "null.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("cannot make a device node here")
    checked = load_model(content, today=TODAY, display_as="content")
    assert [(p.code, p.message) for p in checked.problems] == [
        ("OB017", "this is a character device, not a regular file or folder")
    ]


def test_open_regular_refuses_a_link_a_fifo_and_a_folder_without_blocking(
    tmp_path: Path,
) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link").symlink_to("/etc/passwd")
    (tmp_path / "dir").mkdir()
    for name, what in (("pipe", "a FIFO (named pipe)"), ("link", "a symlink"), ("dir", "a folder")):
        with pytest.raises(NotRegular) as refused:
            open_regular(tmp_path / name)
        assert str(refused.value) == what


@pytest.fixture
def alarm() -> Iterator[None]:
    def expire(_signum: int, _frame: object) -> None:
        raise TimeoutError("the load blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("swap", ["fifo", "symlink"])
def test_a_file_swapped_after_the_walk_is_refused_not_read(
    swap: str, content: Path, outside: Path, monkeypatch: pytest.MonkeyPatch, alarm: None
) -> None:
    """The walk saw a regular file; by the time it is opened it is a FIFO or a link."""
    real_walk = load_mod.walk_content
    target = content / "base.yaml"

    def walk_then_swap(folder: Path) -> list[load_mod.Entry]:
        entries = real_walk(folder)
        target.unlink()
        if swap == "fifo":
            os.mkfifo(target)
        else:
            target.symlink_to(outside / "secret.yaml")
        return entries

    monkeypatch.setattr(load_mod, "walk_content", walk_then_swap)
    checked = load_model(content, today=TODAY, display_as="content")
    what = "a FIFO (named pipe)" if swap == "fifo" else "a symlink"
    assert [(p.code, str(p.pos), p.message) for p in checked.problems] == [
        ("OB017", "content/base.yaml", f"this is {what}, not a regular file")
    ]


# --- unsafe names -----------------------------------------------------------------------------

# name -> (where it is reported, as printed; what the message says)
NAMES: dict[str, tuple[str, str]] = {
    "a\nb.yaml": (
        "content/a\\nb.yaml",
        "unsafe file name: the name holds U+000A, a control character",
    ),
    "::error::x.yaml": ("content/::error::x.yaml", "unsafe file name: the name holds ':'"),
    "*.yaml": ("content/*.yaml", "unsafe file name: the name holds '*'"),
    "a b.yaml": ("content/a b.yaml", "unsafe file name: the name holds U+0020 SPACE"),
    "\u202egnp.yaml": (
        "content/\\u202egnp.yaml",
        "unsafe file name: the name holds U+202E RIGHT-TO-LEFT OVERRIDE",
    ),
    "#x.yaml": ("content/#x.yaml", "unsafe file name: the name holds '#'"),
    "bad dir/x.yaml": ("content/bad dir", "unsafe folder name: the name holds U+0020 SPACE"),
    "ok/[x]/y.yml": ("content/ok/[x]", "unsafe folder name: the name holds '['"),
    os.fsdecode(b"\xff.yaml"): (
        "content/\\xff.yaml",
        "unsafe file name: the name is not valid UTF-8",
    ),
}


@pytest.mark.parametrize("name", NAMES, ids=[ascii(n) for n in NAMES])
def test_an_unsafe_name_is_refused_at_its_path_unread(name: str, content: Path) -> None:
    write_model(content, {name: BOGUS})
    checked = load_model(content, today=TODAY, display_as="content")
    shown, message = NAMES[name]
    assert [(p.code, str(p.pos), p.message, p.hint) for p in checked.problems] == [
        ("OB018", shown, message, NAME_HINT)
    ]
    # Printed escaped in every format: one line each, no control or bidi character.
    for text in (checked.problems[0].format(), format_github(checked.problems)):
        assert text.isprintable() and "\u202e" not in text
    assert format_github(checked.problems).startswith("::error file=content/")


def test_a_folder_with_an_unsafe_name_is_reported_once(content: Path) -> None:
    write_model(content, {"bad dir/a.yaml": BOGUS, "bad dir/b.yaml": BOGUS, "bad dir/c/d.yaml": ""})
    assert found(content) == [("OB018", "content/bad dir")]


def test_unsafe_names_cannot_forge_lines_in_check_output(tmp_path: Path, content: Path) -> None:
    for name in NAMES:
        write_model(content, {name: BOGUS})
    shown = sorted({where for where, _ in NAMES.values()})
    text = ownbook(tmp_path, "check", "content")
    assert text.returncode == 1 and "Traceback" not in text.stderr
    lines = text.stdout.splitlines()
    assert lines[-1] == f"{len(shown)} errors, 0 warnings in {len(NAMES) + 1} files"
    assert [line.split(": error OB018: ")[0] for line in lines[:-1]] == shown
    assert not any(line.startswith("::") for line in lines)  # no workflow command
    assert "content/a\\nb.yaml: error OB018: unsafe file name: the name holds U+000A" in text.stdout

    github = ownbook(tmp_path, "check", "content", "--format", "github")
    assert github.returncode == 1 and "Traceback" not in github.stderr
    lines = github.stdout.splitlines()
    assert len(lines) == len(shown) + 1
    assert all(line.startswith("::error file=content/") for line in lines[:-1])
    assert "::error file=content/%3A%3Aerror%3A%3Ax.yaml,title=OB018" in github.stdout
    assert all(line.isprintable() for line in lines)


def test_json_output_shows_unsafe_names_escaped(content: Path) -> None:
    write_model(content, {"a\nb.yaml": BOGUS, "\u202ex.yaml": BOGUS})
    checked = load_model(content, today=TODAY, display_as="content")
    text = format_json(checked.problems)
    assert '"file": "content/a\\\\nb.yaml"' in text and '"file": "content/\\\\u202ex.yaml"' in text


# --- the plugin: `mkdocs build` fails before MkDocs walks (and follows) the docs folder --------


def test_mkdocs_build_fails_on_links_and_special_files_before_walking(
    tmp_path: Path, outside: Path
) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    (project / "content" / "logo.png").symlink_to("/etc/passwd")
    (project / "content" / "linked").symlink_to(outside)
    (project / "content" / "loop").symlink_to("loop")
    os.mkfifo(project / "content" / "pipe")
    write_model(project / "site", {"index.html": "previous\n"})
    before, kept = digest(project / "site"), digest(outside)
    proc = mkdocs(project)  # times out (and fails) if MkDocs ever opens the FIFO
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    for name in ("linked", "logo.png", "loop"):
        assert f"content/{name}: {SYMLINK}" in proc.stderr
    assert "content/pipe: error OB017: this is a FIFO (named pipe)" in proc.stderr
    assert digest(project / "site") == before  # not even emptied
    assert digest(outside) == kept


def test_mkdocs_build_refuses_a_site_dir_that_is_a_symlink(tmp_path: Path, outside: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    (project / "site").symlink_to(outside)
    kept = digest(outside)
    proc = mkdocs(project)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"refusing to write the site_dir {project / 'site'}: it is a symlink" in proc.stderr
    assert digest(outside) == kept  # MkDocs would have emptied it
    assert (project / "site").is_symlink()


def test_mkdocs_build_refuses_a_linked_cache(tmp_path: Path, outside: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    (project / ".cache").symlink_to(outside)
    kept = digest(outside)
    proc = mkdocs(project)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert (
        "refusing the cache folder .cache/ownbook: .cache is a symlink, so cached diagrams "
        "would be read from and written to wherever it points; remove it and add `.cache` to "
        ".gitignore"
    ) in proc.stderr
    assert digest(outside) == kept


# --- the cache folder --------------------------------------------------------------------------


def previous_site(project: Path) -> dict[str, str]:
    write_model(project / "site", {"index.html": "previous\n", "assets/x.css": "a{}\n"})
    return digest(project / "site")


def assert_refused_cleanly(proc: subprocess.CompletedProcess[str], message: str) -> None:
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"error: {message}"]


def test_ownbook_build_refuses_a_linked_cache_folder(tmp_path: Path, outside: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    (project / ".cache").mkdir()
    (project / ".cache" / "ownbook").symlink_to(outside)
    site, kept = previous_site(project), digest(outside)
    proc = ownbook(project, "build", "--today", TODAY.isoformat())
    assert_refused_cleanly(
        proc,
        "refusing the cache folder .cache/ownbook: .cache/ownbook is a symlink, so cached "
        "diagrams would be read from and written to wherever it points; remove it and add "
        "`.cache` to .gitignore",
    )
    assert digest(project / "site") == site
    assert digest(outside) == kept
    assert not list(project.glob(".site.*"))  # the stage is gone


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, timeout=60)


def test_ownbook_build_refuses_a_cache_committed_to_git(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    hostile = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    write_model(project / ".cache" / "ownbook", {f"{'0' * 64}.svg": hostile})
    git(project, "init", "-q")
    git(project, "add", "-f", ".cache")
    site = previous_site(project)
    proc = ownbook(project, "build", "--today", TODAY.isoformat())
    assert_refused_cleanly(
        proc,
        "refusing the cache folder .cache/ownbook: git tracks 1 file(s) in it, so a commit "
        "could plant cached diagrams or history; remove it from the repository (`git rm -r "
        "--cached .cache`), delete it, and add `.cache` to .gitignore",
    )
    assert digest(project / "site") == site
    assert (project / ".cache" / "ownbook" / f"{'0' * 64}.svg").read_text() == hostile


def test_ownbook_build_refuses_a_cache_that_is_a_submodule(tmp_path: Path) -> None:
    """A red-team review: `.cache` committed as a submodule (a gitlink) lists no file under
    `.cache/ownbook`, yet fills it with the submodule's files."""
    other = tmp_path / "other"
    write_model(other / "ownbook", {f"{'0' * 64}.svg": "<svg/>"})
    git(other, "init", "-q")
    git(other, "add", "-A")
    git(other, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "cache")
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    git(project, "init", "-q")
    git(project, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(other), ".cache")
    site = previous_site(project)
    proc = ownbook(project, "build", "--today", TODAY.isoformat())
    assert_refused_cleanly(
        proc,
        "refusing the cache folder .cache/ownbook: git tracks 1 file(s) in it, so a commit "
        "could plant cached diagrams or history; remove it from the repository (`git rm -r "
        "--cached .cache`), delete it, and add `.cache` to .gitignore",
    )
    assert digest(project / "site") == site


def test_cache_folder_is_made_private_and_checked(tmp_path: Path, outside: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    folder = prepare_cache_dir(project / ".cache" / "ownbook", project)
    assert folder == project / ".cache" / "ownbook"
    for made in (project / ".cache", folder):
        assert stat.S_IMODE(os.lstat(made).st_mode) == 0o700
    assert prepare_cache_dir(folder, project) == folder  # an existing real folder is fine

    # OWNBOOK_CACHE_DIR is the operator's: a link above it is theirs, the folder itself is not.
    (tmp_path / "via").symlink_to(outside)
    chosen = prepare_cache_dir(tmp_path / "via" / "cache", None)
    assert stat.S_IMODE(os.stat(chosen).st_mode) == 0o700
    (tmp_path / "link").symlink_to(outside)
    with pytest.raises(OwnbookError, match="is a symlink"):
        prepare_cache_dir(tmp_path / "link", None)

    other = tmp_path / "q"
    write_model(other, {".cache": "a file\n"})
    with pytest.raises(OwnbookError, match=r"\.cache is not a folder"):
        prepare_cache_dir(other / ".cache" / "ownbook", other)


def test_svg_cache_never_writes_through_a_link(tmp_path: Path, outside: Path) -> None:
    kept = digest(outside)
    (tmp_path / "link").symlink_to(outside)
    SvgCache(tmp_path / "link").put("k", "<svg/>")
    assert digest(outside) == kept
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f".k.{os.getpid()}.tmp").symlink_to(outside / "keep.txt")  # a planted temp name
    SvgCache(cache).put("k", "<svg/>")
    assert (cache / "k.svg").read_text() == "<svg/>"
    assert digest(outside) == kept


# --- the output folder -------------------------------------------------------------------------


def test_ownbook_build_refuses_a_site_that_is_a_symlink(tmp_path: Path, outside: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    (outside / GENERATED_MARKER).write_text("")
    (project / "site").symlink_to(outside)
    kept = digest(outside)
    proc = ownbook(project, "build", "--today", TODAY.isoformat())
    assert_refused_cleanly(
        proc,
        "refusing to write the site folder site: it is a symlink, and ownbook "
        "never writes or deletes through a link; remove the link (and add it to .gitignore if "
        "a commit brought it), or choose another folder",
    )
    assert digest(outside) == kept
    assert (project / "site").is_symlink()


def run_cli(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_build_d_and_generate_out_refuse_a_symlink(
    tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    (outside / GENERATED_MARKER).write_text("")  # what generate would otherwise replace
    (project / "out").symlink_to(outside)
    (project / "frag.json").symlink_to(outside / "keep.txt")
    kept = digest(outside)
    code, output = run_cli(project, monkeypatch, "build", "-d", "out")
    assert code == 1
    assert output.startswith("error: refusing to write the site folder out: it is a symlink")
    code, output = run_cli(project, monkeypatch, "generate", "--out", "out", "content")
    assert code == 1
    assert output.startswith("error: refusing to write the folder out: it is a symlink")
    code, output = run_cli(
        project, monkeypatch, "generate", "--out", "gen", "--mkdocs-fragment", "frag.json"
    )
    assert code == 1
    assert output.startswith("error: refusing to write frag.json: it is a symlink")
    assert digest(outside) == kept
    assert not (project / "gen").exists()


def test_write_files_never_follows_a_link_inside_the_stage(tmp_path: Path, outside: Path) -> None:
    stage = tmp_path / "stage"
    stage.mkdir()
    (stage / "pages").symlink_to(outside)
    (stage / "index.md").symlink_to(outside / "keep.txt")
    kept = digest(outside)
    for rel in ("pages/x.md", "index.md", "pages/deep/new.md"):
        with pytest.raises(OwnbookError, match=f"refusing to write '{rel}'"):
            write_files(stage, {rel: "written\n"})
    with pytest.raises(OwnbookError, match="outside"):
        write_files(stage, {"../escape.md": "x"})
    assert digest(outside) == kept
    write_files(stage, {"teams/a.md": "a\n", "teams/b.md": b"b\n"})
    assert (stage / "teams" / "a.md").read_text() == "a\n"


def test_leftovers_and_swaps_never_delete_through_a_link(tmp_path: Path, outside: Path) -> None:
    final = tmp_path / "site"
    (tmp_path / ".site.new-planted").symlink_to(outside)
    (tmp_path / ".site.old-real").mkdir()
    kept = digest(outside)
    remove_leftovers(final)
    assert (tmp_path / ".site.new-planted").is_symlink()
    assert not (tmp_path / ".site.old-real").exists()

    stage = tmp_path / ".site.new-x"
    stage.mkdir()
    final.symlink_to(outside)  # appeared while the build ran
    with pytest.raises(OwnbookError, match="is a symlink"):
        swap_in(stage, final)
    with pytest.raises(OwnbookError, match="is a symlink"), staged_dir(final):
        raise AssertionError("never reached")
    assert digest(outside) == kept and final.is_symlink()
    shutil.rmtree(stage)


def test_a_site_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "site").write_text("a file\n")
    with (
        pytest.raises(OwnbookError, match="exists and is not a folder"),
        staged_dir(tmp_path / "site"),
    ):
        raise AssertionError("never reached")
    assert (tmp_path / "site").read_text() == "a file\n"


def test_gitignore_ignores_a_linked_site_and_cache() -> None:
    lines = (Path(__file__).parent.parent / ".gitignore").read_text().splitlines()
    assert "/site" in lines and "/.cache" in lines  # no trailing slash: a link matches too
