"""The engines that build a handbook, and what each needs from ownbook.

MkDocs and ProperDocs (the continuation of MkDocs 1.x, which maps every `mkdocs.*` import
to itself) run the ownbook plugin. Zensical runs no MkDocs plugin: ownbook writes the pages
and a configuration of its own and runs Zensical on them (`zensical.py`). This module
reads a handbook's configuration without MkDocs, so that `ownbook check` can warn about a
configuration Zensical would build empty.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import tomllib
from pathlib import Path
from typing import Any

import yaml

from ..model.problems import OwnbookError

ENGINES = ("mkdocs", "properdocs", "zensical")

# What `pip install` brings each engine (the command says it when the engine is missing).
INSTALL = {
    "mkdocs": "pip install 'mkdocs>=1.6,<2' mkdocs-material",
    "properdocs": "pip install properdocs==1.6.7",
    "zensical": "pip install zensical==0.0.73",
}


def installed(engine: str) -> bool:
    return importlib.util.find_spec(engine) is not None


def default_config(engine: str, folder: Path) -> Path:
    """The configuration file an engine reads when none is named: ProperDocs prefers
    `properdocs.yml`; every engine otherwise reads `mkdocs.yml` (ownbook writes Zensical's
    own configuration from it)."""
    if engine == "properdocs" and (folder / "properdocs.yml").is_file():
        return folder / "properdocs.yml"
    return folder / "mkdocs.yml"


# ---------------------------------------------------------------------------------------
# Reading a configuration without MkDocs


class _ConfigLoader(yaml.SafeLoader):
    """MkDocs' YAML: `!ENV` is read as MkDocs reads it; any other tag (a Python name such as
    an emoji generator) is read as nothing, since only plain keys are needed here."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = items[:-1], items[-1] if len(items) > 1 else None
    for name in names:
        if isinstance(name, str) and name in os.environ:
            return yaml.safe_load(os.environ[name])
    return default


def _anything(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> None:
    return None


_ConfigLoader.add_constructor("!ENV", _env)
_ConfigLoader.add_multi_constructor("!", _anything)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _anything)


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """MkDocs' `INHERIT`: mappings merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def read_config(path: Path, _depth: int = 0) -> dict[str, Any]:
    """A handbook's `mkdocs.yml` (with what it `INHERIT`s) as plain data; `OwnbookError`
    naming the file when it cannot be read."""
    try:
        with open(path, "rb") as stream:
            loaded: object = yaml.load(stream, Loader=_ConfigLoader)  # a SafeLoader
    except (OSError, yaml.YAMLError) as exc:
        raise OwnbookError(f"{path}: cannot read the configuration: {exc}") from None
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise OwnbookError(f"{path}: the configuration is not a mapping of settings")
    data: dict[str, Any] = loaded
    parent = data.pop("INHERIT", None)
    if isinstance(parent, str) and _depth < 8:
        data = _merged(read_config(path.parent / parent, _depth + 1), data)
    return data


def plugin_options(config: dict[str, Any], name: str = "ownbook") -> dict[str, Any] | None:
    """The options of plugin `name` in a configuration's `plugins` (a list of names and
    one-key mappings, or a mapping), or None when it is not listed."""
    plugins = config.get("plugins") or []
    entries = plugins.items() if isinstance(plugins, dict) else _listed(plugins)
    for key, options in entries:
        if key == name:
            return dict(options) if isinstance(options, dict) else {}
    return None


def _listed(plugins: object) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for entry in plugins if isinstance(plugins, list) else []:
        if isinstance(entry, str):
            out.append((entry, {}))
        elif isinstance(entry, dict):
            out.extend((str(k), v) for k, v in entry.items())
    return out


def _has_page(folder: Path, limit: int = 10_000) -> bool:
    """Whether a folder holds a Markdown page (links are not followed; a bounded walk)."""
    seen = 0
    for _dir, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.endswith((".md", ".markdown")):
                return True
            seen += 1
            if seen > limit:
                return True
    return False


def zensical_trap(folder: Path) -> str | None:
    """One line when `zensical build` in `folder` would build an empty site: Zensical reads
    `zensical.toml` or `mkdocs.yml`, skips the ownbook plugin without a word, and publishes
    only `404.html` (exit 0, even with `--strict`) when the docs folder holds no page."""
    for name in ("zensical.toml", "mkdocs.yml", "mkdocs.yaml"):
        path = folder / name
        if path.is_file():
            break
    else:
        return None
    try:
        if name.endswith(".toml"):
            with open(path, "rb") as stream:
                data = tomllib.load(stream)
            config = data.get("project", data)
        else:
            config = read_config(path)
    except (OSError, tomllib.TOMLDecodeError, OwnbookError):
        return None
    if not name.endswith(".toml") and (plugin_options(config) is None or not installed("zensical")):
        return None
    docs = folder / str(config.get("docs_dir") or "docs")
    if docs.is_dir() and _has_page(docs):
        return None
    return (
        f"note: `zensical build` here would publish an empty site: Zensical reads {name}, "
        f"skips the ownbook plugin and finds no page in {os.path.relpath(docs, folder)}/; "
        "build with `ownbook build --engine zensical`"
    )
