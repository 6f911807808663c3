"""The hooks and workflows offered to content repositories parse and call real commands."""

from __future__ import annotations

import yaml
from click.testing import CliRunner
from ownbook.cli.app import cli

from tests.conftest import ROOT


def test_pre_commit_hooks_name_real_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"ownbook-check", "ownbook-codeowners"}
    for hook in hooks:
        command = hook["entry"].split()
        assert command[0] == "ownbook"
        result = CliRunner().invoke(cli, [*command[1:], "--help"])
        assert result.exit_code == 0, hook["entry"]


def test_workflows_call_real_commands() -> None:
    for name in ("pull-request.yml", "publish.yml"):
        workflow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
        runs = [
            step["run"]
            for job in workflow["jobs"].values()
            for step in job["steps"]
            if "run" in step and step["run"].startswith("ownbook ")
        ]
        assert runs, name
        for line in runs:
            words = line.split(">")[0].split()
            subcommand = words[1]
            result = CliRunner().invoke(cli, [subcommand, "--help"])
            assert result.exit_code == 0, line
