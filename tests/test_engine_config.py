"""The engines' configuration, read without building: the check for a configuration
Zensical would build empty, and the configuration ownbook writes for Zensical (the builds
themselves are in test_engines.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ownbook.build import engines

from tests.conftest import BASE, make_project


def small_project(root: Path, mkdocs_yml: str | None = None) -> Path:
    make_project(root, {"base.yaml": BASE})
    if mkdocs_yml is not None:
        (root / "mkdocs.yml").write_text(mkdocs_yml)
    return root


@pytest.mark.parametrize(
    ("files", "note"),
    [
        ({"mkdocs.yml": "site_name: x\nplugins:\n  - ownbook\n"}, True),  # docs/ is missing
        ({"mkdocs.yml": "site_name: x\nplugins:\n  - search\n"}, False),  # not a handbook
        ({"mkdocs.yml": "site_name: x\nplugins:\n  - ownbook\n", "docs/a.md": "# A\n"}, False),
        ({"zensical.toml": "[project]\nsite_name = 'x'\ndocs_dir = 'content'\n"}, True),
        ({"mkdocs.yml": "INHERIT: base.yml\n", "base.yml": "plugins: {ownbook: {}}\n"}, True),
        ({"mkdocs.yml": "site_name: !ENV [NAME, x]\nplugins: [ownbook]\n"}, True),
        ({"mkdocs.yml": "plugins: [ownbook\n"}, False),  # unreadable: MkDocs will say why
    ],
    ids=["no-docs", "no-plugin", "hand-pages", "toml", "inherit", "env-tag", "broken"],
)
def test_the_trap_check_reads_each_configuration(
    tmp_path: Path, files: dict[str, str], note: bool
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "content").mkdir()
    found = engines.zensical_trap(tmp_path)
    assert (found is not None) is note
    if found is not None:
        assert found.startswith("note: `zensical build` here would publish an empty site")


def test_the_configuration_ownbook_writes_for_zensical(tmp_path: Path) -> None:
    from ownbook.build.zensical import read_handbook, zensical_config

    root = small_project(
        tmp_path / "p",
        "site_name: Mine\nsite_url: https://handbook.example.com/\n"
        "repo_url: https://github.com/o/r\ntheme:\n  name: material\n  language: de\n"
        "plugins:\n  - search\n  - offline\n  - ownbook:\n      content_dir: content\n",
    )
    config = zensical_config(read_handbook(root / "mkdocs.yml"), "Model title", [{"Home": "x"}])
    # Without an explicit list Zensical enables attr_list and md_in_html: the list is
    # ownbook's own, in full.
    assert [next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]] == [
        "toc",
        "tables",
        "fenced_code",
        "admonition",
        "pymdownx.details",
    ]
    assert config["markdown_extensions"][0] == {
        "toc": {"permalink": True, "slugify": {"object": "ownbook.build.assets.heading_slugify"}}
    }
    assert config["theme"]["variant"] == "classic"
    assert config["theme"]["language"] == "de"
    assert config["theme"]["custom_dir"] == "overrides"
    assert "content.action.edit" in config["theme"]["features"]
    assert config["plugins"] == ["search", "offline"]
    assert config["site_name"] == "Model title"
    assert config["nav"] == [{"Home": "x"}]
    assert config["site_url"] == "https://handbook.example.com/"
    assert config["extra"]["polyfills"] == ["assets/vendor/iframe-worker-shim.js"]
