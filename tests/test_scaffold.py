"""`ownbook new`: the handbook repository it writes checks, builds and is wired for CI.

Fast tests against the editable install; tests/test_installed.py does it again from the
wheel, the way an organisation installs ownbook.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner
from ownbook import __version__
from ownbook.build import assets
from ownbook.cli.app import cli
from ownbook.commands import scaffold
from ownbook.model.load import load_model
from ownbook.model.spec import json_schema

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
OWNER = scaffold.DEFAULT_OWNER

FILES = {
    ".github/CODEOWNERS",
    ".github/workflows/publish.yml",
    ".github/workflows/pull-request.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "README.md",
    "content/activities/attract.yaml",
    "content/activities/grow.yaml",
    "content/activities/win.yaml",
    "content/faqs.yaml",
    "content/glossary.yaml",
    "content/handbook.yaml",
    "content/stages.yaml",
    "content/teams.yaml",
    "mkdocs.yml",
    "requirements.txt",
    "schema/ownbook.schema.json",
}
HOSTILE_TITLE = 'He said "hi": #1\nline two <script>alert(1)</script> \\ \' & x\u2028end'
HOSTILE_ORG = "O'Brien & Co: #2 <b>bold</b>\n- item: [x]"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ownbook", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
        timeout=300,
    )


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scaffold") / "my-handbook"
    result = invoke("new", str(folder))
    assert result.exit_code == 0, result.output
    assert "ownbook build --strict" in result.output
    return folder


def workflow(handbook: Path, name: str) -> dict[Any, Any]:
    data = yaml.safe_load((handbook / ".github" / "workflows" / name).read_text())
    assert isinstance(data, dict)
    return data


def steps(data: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in data["jobs"].values() for step in job["steps"]]


def test_writes_the_handbook_repository(handbook: Path) -> None:
    assert files_in(handbook) == FILES
    assert scaffold.scaffold_files(today=dt.date.today()).keys() == FILES
    assert json.loads((handbook / "schema/ownbook.schema.json").read_text()) == json_schema()
    ignored = (handbook / ".gitignore").read_text().splitlines()
    assert "/site" in ignored and "/.cache" in ignored


def test_starter_model_passes_strict_check_with_no_problem(handbook: Path) -> None:
    result = invoke("check", str(handbook / "content"), "--strict")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("no problems in 8 files"), result.output
    checked = load_model(handbook / "content")
    assert checked.problems == ()
    model = checked.model
    assert model is not None
    assert len(model.stages) == 3 and model.handbook.loop
    assert 3 <= len(model.teams) <= 4 and all(t.roles for t in model.teams)
    assert 4 <= len(model.activities) <= 6
    assert any(a.kind == "decision" for a in model.activities)
    assert len(model.faqs) == 2 and len(model.glossary) == 3
    assert {a.reviewed for a in model.activities} == {dt.date.today()}
    assert not model.handbook.repo_url


def test_every_model_file_points_at_the_schema(handbook: Path) -> None:
    for path in sorted((handbook / "content").rglob("*.yaml")):
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = first.split("$schema=", 1)[1]
        assert (path.parent / target).resolve() == (handbook / scaffold.SCHEMA_FILE).resolve()


def test_codeowners_check_passes(handbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(handbook)
    result = invoke("codeowners", "--check", "--fallback", OWNER)
    assert result.exit_code == 0, result.output
    text = (handbook / ".github/CODEOWNERS").read_text()
    assert "/content/activities/win.yaml @your-org/sales\n" in text
    assert text.endswith(f"/.github/CODEOWNERS {OWNER}\n")


@pytest.mark.slow
def test_build_strict_succeeds(handbook: Path) -> None:
    proc = run(handbook, "build", "--strict")
    assert proc.returncode == 0, proc.stderr
    assert (handbook / "site/matrix.html").is_file()
    assert (handbook / "site/activities/approve-messaging-changes.html").is_file()


def test_requirements_pin_the_installed_versions(handbook: Path) -> None:
    text = (handbook / "requirements.txt").read_text()
    assert "cannot change" in text and "To upgrade" in text
    pins = dict(line.split("==") for line in text.splitlines() if line and not line.startswith("#"))
    assert pins.pop("ownbook") == __version__
    assert set(pins) == set(scaffold.PINNED)
    assert pins == {name: metadata.version(name) for name in pins}


def test_pre_commit_hooks_run_the_pinned_ownbook(handbook: Path) -> None:
    config = yaml.safe_load((handbook / ".pre-commit-config.yaml").read_text())
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    hooks = {hook["id"]: hook for hook in repo["hooks"]}
    assert hooks["ownbook-check"]["entry"] == "ownbook check --strict"
    assert hooks["ownbook-codeowners"]["entry"] == f"ownbook codeowners --check --fallback {OWNER}"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["additional_dependencies"] == [f"ownbook=={__version__}"]
        assert hook["pass_filenames"] is False
        assert re.search(hook["files"], "content/activities/win.yaml")
        command = hook["entry"].split()
        assert invoke(*command[1:2], "--help").exit_code == 0


def test_mkdocs_yml_is_minimal(handbook: Path) -> None:
    config = yaml.safe_load((handbook / "mkdocs.yml").read_text())
    assert config == {
        "site_name": "Customer Lifecycle Handbook",
        "docs_dir": "content",
        "theme": {"name": "material"},
        "plugins": ["search", "offline", "ownbook"],
    }


def test_workflows_are_safe_and_cached(handbook: Path) -> None:
    paths = [
        "content/**",
        "mkdocs.yml",
        "requirements.txt",
        ".github/workflows/**",
        ".github/CODEOWNERS",
    ]
    for name in ("pull-request.yml", "publish.yml"):
        data = workflow(handbook, name)
        triggers = data[True]  # YAML 1.1 reads the key `on` as true
        for job in data["jobs"].values():
            assert isinstance(job["timeout-minutes"], int), name
        for step in steps(data):
            assert "${{" not in step.get("run", ""), (name, step)
            uses = step.get("uses", "")
            if uses.startswith("actions/setup-python"):
                assert step["with"]["cache"] == "pip"
                assert step["with"]["cache-dependency-path"] == "requirements.txt"
            if uses.startswith("actions/checkout"):
                assert step["with"] == {"fetch-depth": 0, "persist-credentials": False}
        runs = [step["run"] for step in steps(data) if "run" in step]
        assert "pip install -r requirements.txt" in runs
        assert not any("pip install ." in r for r in runs)
        assert "ownbook build --strict" in runs
        for script in runs:
            for line in script.splitlines():
                words = line.strip().split()
                if words and words[0] == "ownbook":
                    assert invoke(words[1], "--help").exit_code == 0, line
        push_or_pr = triggers.get("pull_request") or triggers.get("push")
        assert push_or_pr["paths"] == paths, name

    pr = workflow(handbook, "pull-request.yml")
    assert pr["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert "github.event.pull_request.number" in pr["concurrency"]["group"]
    (diff,) = [s for s in steps(pr) if "ownbook diff" in s.get("run", "")]
    assert diff["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    assert 'ownbook diff "origin/$BASE_REF" HEAD > ownership-diff.md' in diff["run"]
    (comment,) = [s for s in steps(pr) if "sticky-pull-request-comment" in s.get("uses", "")]
    assert comment["uses"] == "marocchino/sticky-pull-request-comment@v2"
    assert comment["with"] == {"header": "ownership-diff", "path": "ownership-diff.md"}
    assert comment["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    runs = [s["run"] for s in steps(pr) if "run" in s]
    assert "ownbook check content --strict --format github" in runs
    assert f"ownbook codeowners content --check --fallback {OWNER}" in runs

    publish = workflow(handbook, "publish.yml")
    assert "workflow_dispatch" in publish[True]
    assert publish[True]["push"]["branches"] == ["main"]
    assert publish["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert publish["concurrency"]["group"] == "pages"
    used = {s.get("uses", "").split("@")[0] for s in steps(publish)}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= used


def test_readme_covers_the_maintainers_work(handbook: Path) -> None:
    text = (handbook / "README.md").read_text()
    for heading in ("Edit", "Preview", "Check", "Review", "Publish", "Upgrade"):
        assert f"\n## {heading}\n" in text
    for words in ("ownbook serve", "CODEOWNERS", "pre-commit", "GitHub Pages", OWNER):
        assert words in text
    assert "__" not in text


@pytest.mark.slow
def test_example_lifecycle_builds(tmp_path: Path) -> None:
    folder = tmp_path / "playbook"
    result = invoke(
        "new",
        str(folder),
        "--example",
        "lifecycle",
        "--owner",
        "@acme/handbook",
        "--title",
        HOSTILE_TITLE,
    )
    assert result.exit_code == 0, result.output
    example = {
        "content/" + p.relative_to(assets.EXAMPLE_DIR).as_posix()
        for p in assets.EXAMPLE_DIR.rglob("*.yaml")
    }
    assert {f for f in files_in(folder) if f.startswith("content/")} == example
    checked = load_model(folder / "content")
    assert checked.model is not None and not checked.fails(strict=True)
    assert not checked.model.handbook.repo_url
    assert checked.model.handbook.title == HOSTILE_TITLE
    original = load_model(assets.EXAMPLE_DIR).model
    assert original is not None
    assert checked.model.handbook.organization == original.handbook.organization
    for path in example:
        first = (folder / path).read_text().splitlines()[0]
        target = (folder / path).parent / first.split("$schema=", 1)[1]
        assert target.resolve() == (folder / scaffold.SCHEMA_FILE).resolve()
    proc = run(folder, "build", "--strict")
    assert proc.returncode == 0, proc.stderr
    assert run(folder, "codeowners", "--check", "--fallback", "@acme/handbook").returncode == 0


@pytest.mark.slow
def test_hostile_title_and_organization_stay_as_typed(tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    result = invoke("new", str(folder), "--title", HOSTILE_TITLE, "--organization", HOSTILE_ORG)
    assert result.exit_code == 0, result.output
    checked = load_model(folder / "content")
    assert checked.problems == ()
    assert checked.model is not None
    assert checked.model.handbook.title == HOSTILE_TITLE
    assert checked.model.handbook.organization == HOSTILE_ORG
    assert yaml.safe_load((folder / "mkdocs.yml").read_text())["site_name"] == HOSTILE_TITLE
    proc = run(folder, "build", "--strict")
    assert proc.returncode == 0, proc.stderr
    soup = BeautifulSoup((folder / "site/index.html").read_text(), "html.parser")
    assert not [s for s in soup.find_all("script") if "alert(1)" in s.get_text()]
    assert soup.select("article b") == []
    text = " ".join(soup.get_text().split())
    assert 'He said "hi": #1 line two <script>alert(1)</script>' in text
    assert "O'Brien & Co: #2 <b>bold</b>" in text


def test_owner_user_and_org(tmp_path: Path) -> None:
    files = scaffold.scaffold_files(owner="@octocat")
    codeowners = files[".github/CODEOWNERS"]
    assert {line.split()[-1] for line in codeowners.splitlines()[2:]} == {"@octocat"}
    assert "github:" not in files["content/teams.yaml"]
    files = scaffold.scaffold_files(owner="@acme/handbook")
    assert 'github: "@acme/sales"' in files["content/teams.yaml"]
    assert "--fallback @acme/handbook" in files[".github/workflows/pull-request.yml"]
    result = invoke("new", str(tmp_path / "x"), "--owner", "acme; rm -rf /")
    assert result.exit_code == 2
    assert not (tmp_path / "x").exists()


def test_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = invoke("new", str(folder))
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "not empty" in result.output
    assert files_in(folder) == {"notes.txt"}
    assert sorted(os.listdir(tmp_path)) == ["taken"]


def test_refuses_a_symlinked_folder(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    result = invoke("new", str(link))
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "symlink" in result.output
    assert os.listdir(target) == []
    assert link.is_symlink()
    assert sorted(os.listdir(tmp_path)) == ["elsewhere", "link"]


def test_fills_an_empty_folder_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    inode = folder.stat().st_ino
    monkeypatch.chdir(folder)
    result = invoke("new", ".")
    assert result.exit_code == 0, result.output
    assert folder.stat().st_ino == inode  # the working folder is still the same folder
    assert files_in(folder) == FILES
    assert sorted(os.listdir(tmp_path)) == ["empty"]


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(root: Path, files: dict[str, str]) -> None:
        (root / "content").mkdir()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scaffold, "write_files", broken)
    files = {"README.md": "x"}
    for folder in (tmp_path / "new", tmp_path / "empty"):
        if folder.name == "empty":
            folder.mkdir()
        with pytest.raises(OSError):
            scaffold.write_scaffold(folder, files)
    assert sorted(os.listdir(tmp_path)) == ["empty"]
    assert os.listdir(tmp_path / "empty") == []


def test_yaml_string_reads_back_as_typed() -> None:
    for text in ["", "plain", "a: b #c", "'\"\\", "x\ny\r\n", "\u2028\u0085\ufeff", "😀é", "- [x]"]:
        assert yaml.safe_load(f"k: {scaffold.yaml_string(text)}\n") == {"k": text}
