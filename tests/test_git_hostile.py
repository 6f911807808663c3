"""The git side of the trust boundary: what a pull request commits (tree entries, names,
sizes, `.gitattributes`, subjects, authors, cache files) never makes `ownbook diff` or the
history page crash, read anything but the commit's blobs, or write outside a scratch
folder; and the pull-request comment makes no mention, link or HTML from model text.

Each test asserts what a user sees: the exact message, the exit status, no traceback.
Hostile trees are made with git's plumbing (no work tree involved), in one repository per
module where the tests allow it.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from markdown_it import MarkdownIt
from ownbook import __version__
from ownbook.cli.app import cli
from ownbook.history.gitio import MAX_ENTRIES, content_commits
from ownbook.history.log import CACHE_SCHEMA, _Cache, ownership_history
from ownbook.model.load import load_model
from ownbook.render import RenderOptions, render_pages
from ownbook.render.changes import NO_MENTION

from tests.conftest import BASE, ROOT, TODAY, write_files

ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_AUTHOR_DATE": "2026-11-01T12:00:00",
    "GIT_COMMITTER_DATE": "2026-11-01T12:00:00",
    "PATH": "/usr/bin:/bin",
}


def run_git(
    repo: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        input=stdin,
        capture_output=True,
        check=True,
        env={**ENV, **(env or {})},
    )
    return proc.stdout.decode().strip()


def new_repo(root: Path, files: dict[str, str] | None = None) -> Path:
    """A repository at `root` whose `main` holds BASE (or `files`) in content/."""
    root.mkdir(parents=True)
    run_git(root, "init", "-q", "-b", "main")
    write_files(root / "content", files or {"model.yaml": BASE})
    run_git(root, "add", "-A")
    run_git(root, "commit", "-q", "-m", "Start the handbook")
    return root


def blob(repo: Path, data: bytes) -> str:
    return run_git(repo, "hash-object", "-w", "--stdin", stdin=data)


def commit_tree(
    repo: Path,
    branch: str,
    entries: list[tuple[str, str, str]],
    *,
    empty: bool = False,
    message: str = "hostile",
) -> str:
    """Commit on `branch` (a child of main) main's tree plus `entries` (mode, object id,
    path), or only `entries` when `empty`; the work tree and the index are not touched."""
    index = repo / ".git" / f"index-{branch}"
    env = {"GIT_INDEX_FILE": str(index)}
    if empty:
        run_git(repo, "read-tree", "--empty", env=env)
    else:
        run_git(repo, "read-tree", "main", env=env)
    info = b"".join(
        f"{mode} {obj}\t".encode() + path.encode() + b"\0" for mode, obj, path in entries
    )
    run_git(repo, "update-index", "-z", "--index-info", stdin=info, env=env)
    tree = run_git(repo, "write-tree", env=env)
    sha = run_git(repo, "commit-tree", tree, "-p", "main", "-m", message)
    run_git(repo, "branch", "-f", branch, sha)
    index.unlink()
    return sha


def invoke(*args: str) -> tuple[int, str]:
    """Exit status and output (stdout and stderr) of `ownbook`, never a traceback."""
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if ".git" not in p.parts}


# -- hostile trees: symlinks, submodules, a file for the folder, huge or many files ---------

SYMLINK_HINT = "commit the file itself, not a link to it"
NAME_HINT = "use letters, digits, '-', '_' and '.' in file and folder names"
BIG = 50 * 1024 * 1024
PART = 7_500_000  # nine of these are over the 64 MiB model limit, each under 8 MiB


def _payloads(repo: Path) -> dict[str, tuple[list[tuple[str, str, str]], bool, str]]:
    """Branch name -> (tree entries, tree made from nothing, the problem line shown)."""
    model = blob(repo, BASE.encode())
    main_sha = run_git(repo, "rev-parse", "main")
    tiny = blob(repo, b"x: 1\n")
    huge = blob(repo, b"a" * BIG)
    part = blob(repo, b"# " + b"a" * (PART - 3) + b"\n")
    return {
        "link-etc": (
            [("120000", blob(repo, b"/etc/passwd"), "content/passwd.yaml")],
            False,
            "content/passwd.yaml: error OB017: a symbolic link in the content folder; "
            + SYMLINK_HINT,
        ),
        "link-up": (
            [("120000", blob(repo, b"../../secret"), "content/teams/secret.yaml")],
            False,
            "content/teams/secret.yaml: error OB017: a symbolic link in the content folder; "
            + SYMLINK_HINT,
        ),
        "link-folder": (
            [("120000", blob(repo, b"/etc"), "content/etc")],
            False,
            "content/etc: error OB017: a symbolic link in the content folder; " + SYMLINK_HINT,
        ),
        "content-link": (
            [("120000", blob(repo, b"/etc"), "content")],
            True,
            "content: error OB001: the content folder is a symbolic link at this revision, "
            "not a folder",
        ),
        "content-file": (
            [("100644", model, "content")],
            True,
            "content: error OB001: the content folder is a file at this revision, not a folder",
        ),
        "submodule": (
            [("160000", main_sha, "content/vendor")],
            False,
            "content/vendor: error OB017: a submodule in the content folder; keep the model's "
            "files in this repository",
        ),
        "many-files": (
            [("100644", tiny, f"content/many/{i:05}.yaml") for i in range(20_000)],
            False,
            "content: error OB002: the content folder holds too many files to read (more than "
            f"{MAX_ENTRIES:,}, or over 16 MiB of names); split the repository or remove "
            "files from the content folder",
        ),
        "huge-file": (
            [("100644", huge, "content/huge.yaml")],
            False,
            f"content/huge.yaml:1:1: error OB002: file is {BIG:,} bytes, over the limit of "
            "8,388,608; split the model into several smaller files",
        ),
        "huge-model": (
            [("100644", part, f"content/bulk/f{i}.yaml") for i in range(1, 10)],
            False,
            "content/bulk/f9.yaml: error OB002: the model is over the limit of 67,108,864 "
            "bytes in all",
        ),
        "name-space": (
            [("100644", model, "content/a b.yaml")],
            False,
            "content/a b.yaml: error OB018: unsafe file or folder name: the name holds U+0020 "
            "SPACE; " + NAME_HINT,
        ),
        "name-bidi": (
            [("100644", model, "content/evil\u202e.yaml")],
            False,
            "content/evil\\u202e.yaml: error OB018: unsafe file or folder name: the name holds "
            "U+202E RIGHT-TO-LEFT OVERRIDE; " + NAME_HINT,
        ),
        "name-newline": (
            [("100644", model, "content/x\n::error::y.yaml")],
            False,
            "content/x\\u000a::error::y.yaml: error OB018: unsafe file or folder name: the name "
            "holds U+000A, a control character; " + NAME_HINT,
        ),
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A repository with one branch per hostile tree, and the problem line of each."""
    repo = new_repo(tmp_path_factory.mktemp("hostile") / "repo")
    expected = {}
    for branch, (entries, empty, line) in _payloads(repo).items():
        commit_tree(repo, branch, entries, empty=empty, message=f"Hostile {branch}")
        expected[branch] = line
    return repo, expected


BRANCHES = [
    "link-etc",
    "link-up",
    "link-folder",
    "content-link",
    "content-file",
    "submodule",
    "many-files",
    "huge-file",
    "huge-model",
    "name-space",
    "name-bidi",
    "name-newline",
]


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The temporary folder ownbook's scratch folders are made in; empty again after."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("branch", BRANCHES)
def test_diff_of_a_hostile_tree_does_not_load(
    hostile: tuple[Path, dict[str, str]],
    branch: str,
    scratch: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, expected = hostile
    monkeypatch.chdir(repo)
    before = files_under(repo.parent)
    code, out = invoke("diff", "main", branch)
    head, fence = out.split("\n\n", 1)
    assert (code, html.unescape(head), fence) == (
        1,
        f"The model at {branch} does not load (1 errors):",
        f"```\n{branch}:{expected[branch]}\n```\n",
    )
    assert "root:" not in out  # /etc/passwd was not read
    assert files_under(repo.parent) == before  # nothing written beside the repository
    assert not (repo.parent / "secret").exists()


@pytest.fixture
def head_at(hostile: tuple[Path, dict[str, str]]) -> Iterator[Callable[[str], None]]:
    """Point the hostile repository's HEAD at a branch for one test (work tree untouched)."""
    repo, _ = hostile

    def move(branch: str) -> None:
        run_git(repo, "symbolic-ref", "HEAD", f"refs/heads/{branch}")

    yield move
    run_git(repo, "symbolic-ref", "HEAD", "refs/heads/main")


@pytest.mark.parametrize("branch", BRANCHES)
def test_history_of_a_hostile_tree_says_it_does_not_load(
    hostile: tuple[Path, dict[str, str]],
    branch: str,
    head_at: Callable[[str], None],
    scratch: Path,
) -> None:
    repo, expected = hostile
    head_at(branch)
    before = files_under(repo.parent)
    history = ownership_history(repo / "content", None)
    newest, first = history.entries
    assert (newest.subject, newest.changes) == (f"Hostile {branch}", None)
    assert newest.error == f"The model at this commit does not load: {expected[branch]}"
    assert first.error is None and first.changes is not None
    model = load_model(repo / "content", today=TODAY).model
    assert model is not None
    page = render_pages(model, RenderOptions(today=TODAY, history=history))["changes.md"]
    assert "The model at this commit does not load" in html.unescape(page)
    assert files_under(repo.parent) == before


# -- .gitattributes does not change what is read --------------------------------------------

MARKED = BASE.replace("name: Awareness", "name: Awareness $Format:%H$")
EXTRA = "teams:\n  - id: legal\n    name: Legal\n"


@pytest.mark.parametrize(
    "attributes",
    [
        {".gitattributes": "*.yaml export-subst\n"},
        {".gitattributes": "content/extra.yaml export-ignore\ncontent/** export-subst\n"},
        {"content/.gitattributes": "* export-ignore\n"},
    ],
    ids=["export-subst", "export-ignore-file", "export-ignore-in-content"],
)
def test_gitattributes_do_not_change_what_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, attributes: dict[str, str]
) -> None:
    repo = new_repo(tmp_path / "repo")
    run_git(repo, "checkout", "-q", "-b", "attrs")
    write_files(repo, attributes)
    write_files(repo / "content", {"model.yaml": MARKED, "extra.yaml": EXTRA})
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "Export tricks")
    monkeypatch.chdir(repo)
    code, from_git = invoke("diff", "main", "attrs")
    assert code == 0
    code, from_tree = invoke("diff", "main")  # HEAD: the work tree, checked out at attrs
    assert code == 0
    body = from_git.split("\n", 1)[1]
    assert body == from_tree.split("\n", 1)[1]
    shown = html.unescape(body)
    assert "- Renamed: Awareness is now Awareness $Format:%H$.\n" in shown
    assert "- Added: Legal.\n" in shown
    entry = ownership_history(repo / "content", None).entries[0]
    assert entry.changes is not None
    assert entry.changes.teams == ["Added: Legal."]
    assert entry.changes.stages == ["Renamed: Awareness is now Awareness $Format:%H$."]


# -- `ownbook diff`: revisions first, folders only when asked --------------------------------


@pytest.fixture
def cli_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = new_repo(tmp_path / "repo")
    (repo / "content" / "model.yaml").write_text(
        BASE.replace("accountable: sales", "accountable: marketing")
    )
    run_git(repo, "commit", "-q", "-am", "Marketing closes deals")
    monkeypatch.chdir(repo)
    return repo


@pytest.mark.parametrize("name", ["HEAD", "main", "sha", "short-sha"])
def test_folder_named_like_a_revision_is_ambiguous(cli_repo: Path, name: str) -> None:
    sha = run_git(cli_repo, "rev-parse", "HEAD")
    name = {"sha": sha, "short-sha": sha[:7]}.get(name, name)
    write_files(cli_repo / name, {"model.yaml": BASE})
    for args in (("diff", name), ("diff", "main", name), ("diff", "--format", "json", name)):
        code, out = invoke(*args)
        assert (code, out) == (
            2,
            f"error: '{name}' is both a git revision (commit {sha[:10]}) and a folder: pass "
            f"--folders to compare content folders, or write the revision as '{name}^0'\n",
        )
    code, out = invoke("diff", f"{name}^0", "main~1")
    assert code == 0
    assert "Marketing is no longer Accountable for Close deals; Sales is." in html.unescape(out)
    code, out = invoke("diff", "--folders", name, "content")
    assert code == 0
    assert "Sales is no longer Accountable for Close deals; Marketing is." in html.unescape(out)


def test_folders_option(cli_repo: Path, tmp_path: Path) -> None:
    other = write_files(tmp_path / "other", {"m.yaml": BASE})
    code, out = invoke("diff", "--folders", str(other))  # HEAD: the content folder
    assert code == 0
    assert "Sales is no longer Accountable for Close deals; Marketing is." in html.unescape(out)
    code, out = invoke("diff", "--folders", "main", "content")
    assert (code, out) == (2, "error: no content folder 'main'\n")
    code, out = invoke("diff", str(other))
    assert (code, out) == (
        2,
        f"error: unknown git revision '{other}'; to compare content folders, pass --folders\n",
    )


@pytest.mark.parametrize(
    "args",
    [
        ("--", "--output=/tmp/ownbook-pwned"),
        ("--", "-n"),
        ("main", "--", "--all"),
        ("--", "--end-of-options"),
    ],
)
def test_revision_starting_with_a_dash_is_refused(cli_repo: Path, args: tuple[str, ...]) -> None:
    code, out = invoke("diff", *args)
    bad = args[-1]
    assert (code, out) == (2, f"error: a git revision may not start with '-': '{bad}'\n")
    assert not Path("/tmp/ownbook-pwned").exists()


@pytest.mark.parametrize(
    "revision", ["no-such-branch", "main\x1b[31m", "main\nHEAD", "HEAD:content"]
)
def test_odd_revisions_are_unknown(cli_repo: Path, revision: str) -> None:
    code, out = invoke("diff", revision)
    assert code == 2
    assert out.startswith("error: unknown git revision '")
    assert "\x1b" not in out and out.count("\n") == 1


# -- commit subjects and authors -------------------------------------------------------------

SUBJECTS = [
    ("\x1b[31mred\x1b[0m", "\\u001b[31mred\\u001b[0m"),
    ("right\u202eleft", "right\\u202eleft"),
    ("x" * 5000, "x" * 199 + "…"),
    ("%x00 %H %n and %s", "%x00 %H %n and %s"),
    ("::error file=a::boom", "::error file=a::boom"),
    ("one\ntwo", "one two"),
    ("a\x1cb\x85c\u2028d\u200be", "a\\u001cb\\u0085c\\u2028d\\u200be"),
    ("Marketing <b>closes</b> deals", "Marketing <b>closes</b> deals"),
]


@pytest.fixture(scope="module")
def subjects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = new_repo(tmp_path_factory.mktemp("subjects") / "repo")
    model = repo / "content" / "model.yaml"
    for i, (message, _) in enumerate(SUBJECTS):
        model.write_text(BASE + f"# edit {i}\n")
        run_git(
            repo,
            "commit",
            "-q",
            "-am",
            message,
            env={"GIT_AUTHOR_NAME": f"Eve {i}\u202eevil\u200f"},
        )
    return repo


def test_subjects_and_authors_are_capped_and_escaped(subjects: Path) -> None:
    history = ownership_history(subjects / "content", None)
    got = [(e.subject, e.author) for e in history.entries]
    want = [
        (shown, f"Eve {i}\\u202eevil\\u200f")
        for i, (_, shown) in reversed(list(enumerate(SUBJECTS)))
    ]
    assert got == [*want, ("Start the handbook", "t")]
    model = load_model(subjects / "content", today=TODAY).model
    assert model is not None
    page = render_pages(model, RenderOptions(today=TODAY, history=history))["changes.md"]
    assert not any(c in page for c in "\x1b\x1c\x85\u202e\u2028\u200b\u200f")
    assert "<b>" not in page
    shown = html.unescape(page)
    assert "<small>“\\u001b[31mred\\u001b[0m”, commit " in shown
    assert "<small>“" + "x" * 199 + "…”, commit " in shown
    assert " by Eve 0\\u202eevil\\u200f</small>" in shown
    assert max(len(line) for line in page.splitlines()) < 2000


# -- the history cache is untrusted --------------------------------------------------------


@pytest.fixture(scope="module")
def cached(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str, str]:
    """A repository of two commits, the newest one's id and parent, and the page of it
    computed without a cache."""
    repo = new_repo(tmp_path_factory.mktemp("cached") / "repo")
    (repo / "content" / "model.yaml").write_text(
        BASE.replace("accountable: sales", "accountable: marketing")
    )
    run_git(repo, "commit", "-q", "-am", "Marketing closes deals")
    sha = run_git(repo, "rev-parse", "HEAD")
    parent = run_git(repo, "rev-parse", "HEAD~1")
    return repo, sha, parent, history_page(repo, None)


def history_page(repo: Path, cache: Path | None) -> str:
    model = load_model(repo / "content", today=TODAY).model
    assert model is not None
    history = ownership_history(repo / "content", cache)
    return render_pages(model, RenderOptions(today=TODAY, history=history))["changes.md"]


def record(sha: str, parent: str, **changes: object) -> dict[str, object]:
    """A cache record of the current schema that claims the changes given."""
    fields = {"added": [], "removed": [], "changed": [], "teams": [], "stages": []}
    fields |= {"other": [], "handbook": []}
    return {
        "schema": CACHE_SCHEMA,
        "ownbook": __version__,
        "sha": sha,
        "parent": parent,
        "error": None,
        "changes": fields | changes,
    }


def bad_records(sha: str, parent: str) -> list[bytes]:
    good = record(sha, parent)
    changes = good["changes"]
    assert isinstance(changes, dict)

    def with_(**fields: object) -> bytes:
        return json.dumps(good | fields).encode()

    def with_changes(**fields: object) -> bytes:
        return with_(changes=changes | fields)

    return [
        b"[]",
        b"[1, 2, 3]",
        b'"text"',
        b"null",
        b'{"schema": 2}',
        json.dumps({k: v for k, v in good.items() if k != "changes"}).encode(),
        with_(schema=1),
        with_(schema="2"),
        with_(schema=True),
        with_(schema=CACHE_SCHEMA + 1),
        with_(ownbook="0.0.0"),
        with_(sha=parent),
        with_(parent=None),
        with_(changes=None),
        with_(error=["x"]),
        with_(error="bidi \u202e text"),
        with_(error="x", changes=changes),
        with_(changes=[]),
        with_changes(added=[[1, 2, 3]]),
        with_changes(added=[["id", "name"]]),
        with_changes(added=[["id", "name", "facts"]]),
        with_changes(added="Hacked"),
        with_changes(removed=[["id"]]),
        with_changes(changed=[{"id": "x", "name": "Hacked"}]),
        with_changes(changed=[{"id": "x", "name": "Hacked", "sentences": [1]}]),
        with_changes(teams=[None]),
        with_changes(teams="Hacked"),
        with_changes(handbook={"Hacked": 1}),
        with_changes(extra=[]),
        json.dumps({k: v for k, v in good.items() if k != "schema"}).encode(),
        # the shape of version 1 of the cache (what ownbook wrote before)
        json.dumps(
            {"sha": sha, "date": "2026-11-01", "subject": "Hacked", "changes": None, "error": 1}
        ).encode(),
        b"{not json",
        b"\xff\xfe\x00",
        b"[" * 100_000 + b"]" * 100_000,
        b"",
    ]


def cache_file(cache: Path, sha: str) -> Path:
    return cache / "history" / f"{sha}-{__version__}.json"


def test_a_cache_record_of_the_right_shape_is_used(
    cached: tuple[Path, str, str, str], tmp_path: Path
) -> None:
    repo, sha, parent, _ = cached
    cache = tmp_path / "cache"
    write_files(
        cache / "history",
        {cache_file(cache, sha).name: json.dumps(record(sha, parent, teams=["Hacked."]))},
    )
    assert "- Hacked&#46;\n" in history_page(repo, cache)


def test_cache_files_of_another_shape_are_computed_again(
    cached: tuple[Path, str, str, str], tmp_path: Path
) -> None:
    repo, sha, parent, reference = cached
    commit = content_commits(repo / "content", 1)[0]
    computed = ownership_history(repo / "content", None)
    for i, data in enumerate(bad_records(sha, parent)):
        cache = tmp_path / f"cache{i}"
        path = cache_file(cache, sha)
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        assert _Cache(cache, repo).read(commit) is None, data[:200]
        if i % 4:
            continue  # the whole history for every fourth shape (each costs git calls)
        assert ownership_history(repo / "content", cache) == computed, data[:200]
        written = json.loads(path.read_text())
        assert written["schema"] == CACHE_SCHEMA and written["sha"] == sha
        assert _Cache(cache, repo).read(commit) is not None
        assert not [p.name for p in path.parent.iterdir() if p.name.startswith(".tmp")]
    assert history_page(repo, cache) == reference  # and the rewritten file reads back


def test_cache_through_a_symlink_is_neither_read_nor_written(
    cached: tuple[Path, str, str, str], tmp_path: Path
) -> None:
    repo, sha, parent, reference = cached
    fake = json.dumps(record(sha, parent, teams=["Hacked."]))
    outside = write_files(tmp_path / "outside", {"record.json": fake})
    target = outside / "record.json"
    # the cache file is a link
    cache = tmp_path / "cache-file-link"
    path = cache_file(cache, sha)
    path.parent.mkdir(parents=True)
    path.symlink_to(target)
    assert history_page(repo, cache) == reference
    assert path.is_symlink() and target.read_text() == fake
    # a link to a file that does not exist yet
    cache = tmp_path / "cache-dangling"
    path = cache_file(cache, sha)
    path.parent.mkdir(parents=True)
    path.symlink_to(outside / "new.json")
    assert history_page(repo, cache) == reference
    assert not (outside / "new.json").exists()
    # the history folder is a link
    cache = tmp_path / "cache-folder-link"
    cache.mkdir()
    (cache / "history").symlink_to(outside)
    (outside / cache_file(cache, sha).name).write_text(fake)
    assert history_page(repo, cache) == reference
    assert sorted(p.name for p in outside.iterdir()) == sorted(
        ["record.json", cache_file(cache, sha).name]
    )
    # a folder above it, inside the repository, is a link (as a pull request can commit)
    (repo / ".cache").symlink_to(outside, target_is_directory=True)
    try:
        assert history_page(repo, repo / ".cache" / "ownbook") == reference
        assert not (outside / "ownbook").exists()
    finally:
        (repo / ".cache").unlink()


# -- the pull-request comment: no mention, no link, no HTML from model text ----------------

HOSTILE_NAMES = {
    "name: Marketing": "name: '@org/all'",
    "name: Sales": "name: https://evil.example/x",
    "name: Data analyst": "name: www.evil.example",
    "name: Close deals": "name: a@b.example",
    "name: Positioning updates": "name: <script>alert(1)</script>",
    "name: Awareness": "name: '[x](https://evil.example) @here'",
}


def test_pr_comment_makes_no_mention_link_or_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = BASE
    for old, new in HOSTILE_NAMES.items():
        text = text.replace(old, new)
    repo = new_repo(tmp_path / "repo")
    (repo / "content" / "model.yaml").write_text(
        text.replace("accountable: sales", "accountable: marketing")
    )
    run_git(repo, "commit", "-q", "-am", "Hostile names")
    monkeypatch.chdir(repo)
    code, out = invoke("diff", "main~1", "main")
    assert code == 0
    decoded = html.unescape(out)
    # the names are shown as typed (a zero-width space after each @)
    assert "- Renamed: Marketing is now @\u200borg/all.\n" in decoded
    assert "- Renamed: Sales is now https://evil.example/x.\n" in decoded
    assert "#### a@\u200bb.example\n" in decoded
    assert "<script>alert(1)</script>" in decoded
    # ... but no mention: every @ is followed by the zero-width space
    assert decoded.count("@") == decoded.count("@" + NO_MENTION) > 0
    assert re.search(r"@\w", decoded) is None
    # ... no autolink: no URL, www. or e-mail text in the raw Markdown outside references
    for needle in ("https:", "://", "www.", "evil.example", "b.example", "@org", "<"):
        assert needle not in out, needle
    # ... and Markdown sees no link, no HTML
    linkify = importlib.util.find_spec("linkify_it") is not None
    md = MarkdownIt("gfm-like") if linkify else MarkdownIt("gfm-like").disable("linkify")
    kinds = set()
    for token in md.parse(out):
        kinds.add(token.type)
        kinds.update(child.type for child in token.children or [])
    assert not kinds & {"link_open", "html_inline", "html_block", "image"}, kinds
    rendered = md.render(out)
    assert "<a " not in rendered and "<script" not in rendered
    # the JSON output is data: the names as typed, no zero-width space
    code, out = invoke("diff", "main~1", "main", "--format", "json")
    assert code == 0 and NO_MENTION not in out
    assert json.loads(out)["teams"][0] == "Renamed: Marketing is now @org/all."
    # the history page is a page, not a comment: the same body, without the marks
    page = history_page(repo, None)
    assert NO_MENTION not in page and "@org/all" in html.unescape(page)


# -- the workflows: no expression spliced into a script -------------------------------------


def test_workflow_scripts_take_github_values_from_the_environment() -> None:
    for name in ("pull-request.yml", "publish.yml"):
        workflow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), (name, step)
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pull-request.yml").read_text())
    (diff_step,) = [
        s for s in workflow["jobs"]["check"]["steps"] if "ownbook diff" in s.get("run", "")
    ]
    assert diff_step["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    assert 'ownbook diff "origin/$BASE_REF" HEAD' in diff_step["run"]
