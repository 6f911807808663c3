"""The package layout is the data flow: no module imports against it.

model (read, decode, check) -> history (the model over commits) -> render (pages) -> build
(a site on disk, the engines) -> commands (who, codeowners, scaffold, importer) -> the edges
(`cli`, the only package that parses arguments; `plugin`, the only module that imports
MkDocs). Every import counts, function-local and type-only ones included.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"

# Each layer may import its own and the layers before it, never one after it.
LAYERS = ("model", "history", "render", "build", "commands", "cli", "plugin")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["ownbook", *parts])


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module or name imported) for every import in a file."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                up = package[: len(package) - (node.level - 1)]
                base = ".".join(up + ([node.module] if node.module else []))
            out += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return out


def layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "ownbook" or len(parts) < 2 or parts[1] not in LAYERS:
        return None
    return LAYERS.index(parts[1])


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_belongs_to_a_layer() -> None:
    loose = {module_name(p) for p in modules() if layer(module_name(p)) is None}
    assert loose == {"ownbook", "ownbook.__main__"}


def test_no_module_imports_against_the_flow() -> None:
    against = []
    for path in modules():
        here = layer(module_name(path))
        if here is None:
            continue
        for line, target in imports(path):
            there = layer(target)
            if there is not None and there > here:
                against.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert against == []


def test_the_plugin_and_the_command_line_do_not_import_each_other() -> None:
    plugin = [t for _, t in imports(PACKAGE / "plugin.py")]
    assert [t for t in plugin if t.startswith(("ownbook.cli", "ownbook.commands"))] == []
    for path in (PACKAGE / "cli").rglob("*.py"):
        assert [t for _, t in imports(path) if t.startswith("ownbook.plugin")] == []


def test_only_the_plugin_imports_mkdocs_and_only_the_cli_parses_arguments() -> None:
    found: dict[str, set[str]] = {"mkdocs": set(), "click": set(), "argparse": set()}
    for path in modules():
        for _, target in imports(path):
            top = target.split(".")[0]
            if top in found:
                found[top].add(module_name(path))
    assert found["mkdocs"] == {"ownbook.plugin"}
    assert {m.split(".")[1] for m in found["click"]} == {"cli"}
    assert found["argparse"] == set()


def test_the_readme_names_each_package_and_its_job() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Development", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\s*\| `(?:generator/)?([a-z_]+)/?(?:\.py)?` \|", section, re.M))
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages | {"plugin"} <= named, "the README's Development table misses a package"


def test_git_ignores_no_file_of_the_package() -> None:
    """A file git ignores is missing from every fresh clone, CI's included: `build/` in
    .gitignore once hid `generator/build/__init__.py`."""
    import subprocess

    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked sdist)")
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", "generator", "theme"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert [f for f in listed if "__pycache__" not in f and not f.endswith(".pyc")] == []


def test_no_module_state_and_nothing_written_onto_frozen_objects() -> None:
    """State lives in what a caller holds (a memo, a file cache, a worker, a plugin), never
    in a module; a frozen object is set only while it is made (`__post_init__`)."""
    found = []
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
                if isinstance(node, ast.Global):
                    found.append(f"{where} global {', '.join(node.names)}")
                if (
                    isinstance(node, ast.Call)
                    and ast.unparse(node.func) == "object.__setattr__"
                    and func.name != "__post_init__"
                ):
                    found.append(f"{where} object.__setattr__ in {func.name}")
        found += _module_containers_changed(tree, path)
    assert found == []


MUTABLE = {"dict", "list", "set", "defaultdict", "Counter", "OrderedDict", "deque", "bytearray"}
CHANGES = {"append", "extend", "insert", "update", "add", "setdefault", "pop", "popitem"}
CHANGES |= {"clear", "remove", "discard", "appendleft", "popleft", "sort", "reverse"}


def _module_containers_changed(tree: ast.Module, path: Path) -> list[str]:
    """Module-level dicts, lists and sets that a function changes: state by another name."""
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        value = getattr(node, "value", None)
        mutable = isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp)
        if isinstance(value, ast.Call):
            mutable = ast.unparse(value.func).split(".")[-1] in MUTABLE
        names |= {t.id for t in targets if isinstance(t, ast.Name) and mutable}
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            changed = None
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
                changed = node.value
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                changed = node.func.value if node.func.attr in CHANGES else None
            if isinstance(changed, ast.Name) and changed.id in names:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append(f"{where} {func.name} changes the module's {changed.id}")
    return found
