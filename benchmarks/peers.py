"""The tools the issue measures ownbook against, and the baseline commit.

- Peers, installed with pip into a venv of the benchmark's own (`.bench-venv`, not the
  project's): sphinx-needs (the same model as one Sphinx page per stage and per team, each
  a need per activity and a table of them) and agenraci (the same RACI as one charter,
  validated).
- The baseline: a commit of this repository checked out with `git worktree add` into
  `.bench-base/` and installed, editable, into a venv of its own (`.bench-venv-base`), so
  it is built with its own code, templates and mkdocs.yml (an editable install: a wheel of
  that commit lacks its templates). Both are kept for the next run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from ownbook.model.objects import Model, party_team

ROOT = Path(__file__).resolve().parent.parent
PEER_VENV = ROOT / ".bench-venv"
BASE_VENV = ROOT / ".bench-venv-base"
PEERS = ("sphinx-needs", "agenraci")
BASELINE = "f63916f"


def _venv(folder: Path, requirements: list[str], stamp: str) -> Path | None:
    """A venv with `requirements` installed (once: a stamp file records what), or None when
    pip could not install them (the report says so)."""
    python = folder / "bin" / "python"
    marker = folder / ".ownbook-bench"
    if python.exists() and marker.exists() and marker.read_text() == stamp:
        return python
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *requirements],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print(f"could not install {requirements}: {proc.stderr[-500:]}", file=sys.stderr)
        return None
    marker.write_text(stamp)
    return python


def peer_python() -> Path | None:
    return _venv(PEER_VENV, list(PEERS), " ".join(PEERS))


def baseline(commit: str = BASELINE) -> tuple[Path, Path] | None:
    """The baseline commit's tree (a worktree) and the python of its venv."""
    tree = ROOT / ".bench-base" / commit
    if not tree.exists():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(tree), commit],
            capture_output=True,
            check=True,
        )
    sha = subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    python = _venv(BASE_VENV, ["-e", str(tree)], f"{sha} {tree}")
    return (tree, python) if python is not None else None


# agenraci --------------------------------------------------------------------------------


def write_charter(model: Model, path: Path) -> Path:
    """The model's RACI as an agenraci charter: each party a role, each activity an action
    (agenraci names one responsible role: the first)."""
    parties = sorted(
        {p for a in model.activities for _, p, _ in a.raci.letters} | {t.id for t in model.teams}
    )
    role = {p: p.replace("/", "__").replace("-", "_") for p in parties}
    charter = {
        "project": "synthetic",
        "roles": [role[p] for p in parties],
        "members": [{"name": f"m_{role[p]}", "type": "human", "role": role[p]} for p in parties],
        "actions": {
            a.id.replace("-", "_"): {
                "responsible": role[a.raci.responsible[0]],
                "accountable": role[a.raci.accountable or a.raci.responsible[0]],
                "consulted": [role[p] for p in a.raci.consulted],
                "informed": [role[p] for p in a.raci.informed],
            }
            for a in model.activities
        },
    }
    # JSON is YAML: the charter is read by agenraci's YAML loader
    path.write_text(json.dumps(charter, indent=1))
    return path


# sphinx-needs ----------------------------------------------------------------------------

CONF = """\
project = "Synthetic handbook"
extensions = ["sphinx_needs"]
needs_id_regex = "^[A-Z0-9_]{5,}"
needs_extra_options = ["accountable", "responsible", "consulted", "informed", "stages",
                       "teams"]
html_theme = "alabaster"
"""


def _rst_title(text: str, char: str) -> str:
    return f"{text}\n{char * len(text)}\n\n"


def write_needs_project(model: Model, folder: Path) -> Path:
    """The model as a Sphinx project: one page per stage (a need per activity, first stage
    only, and a table of the stage's needs) and one per team (a table of the needs the team
    holds a letter in): the same pages of tables a handbook has, without the rest."""
    src = folder / "src"
    (src / "stages").mkdir(parents=True, exist_ok=True)
    (src / "teams").mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(CONF)
    toc = [f"   stages/{s.id}" for s in model.lifecycle] + [f"   teams/{t.id}" for t in model.teams]
    (src / "index.rst").write_text(
        _rst_title("Synthetic handbook", "=")
        + ".. toctree::\n   :maxdepth: 1\n\n"
        + "\n".join(toc)
        + "\n"
    )

    def need_id(activity_id: str) -> str:
        return "ACT_" + activity_id.upper().replace("-", "_")

    for s in model.lifecycle:
        lines = [_rst_title(s.name, "="), s.summary or "", "\n\n"]
        for a in model.activities:
            if a.stages[0] != s.id:
                continue
            teams = sorted({party_team(p) for _, p, _ in a.raci.letters})
            lines += [
                f".. need:: {a.name}\n",
                f"   :id: {need_id(a.id)}\n",
                f"   :accountable: {a.raci.accountable}\n",
                f"   :responsible: {', '.join(a.raci.responsible)}\n",
                f"   :consulted: {', '.join(a.raci.consulted)}\n",
                f"   :informed: {', '.join(a.raci.informed)}\n",
                f"   :stages: {' '.join(a.stages)}\n",
                f"   :teams: {' '.join(teams)}\n\n",
                f"   {a.summary or ''}\n\n",
            ]
        lines += [
            ".. needtable::\n",
            f'   :filter: "{s.id}" in stages\n',
            "   :columns: id;title;accountable;responsible;consulted;informed\n\n",
        ]
        (src / "stages" / f"{s.id}.rst").write_text("".join(lines))
    for t in model.teams:
        text = _rst_title(t.name, "=") + (t.summary or "") + "\n\n"
        text += (
            ".. needtable::\n"
            f'   :filter: "{t.id}" in teams.split()\n'
            "   :columns: id;title;accountable;responsible;consulted;informed\n"
        )
        (src / "teams" / f"{t.id}.rst").write_text(text)
    return src
