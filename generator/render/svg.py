"""DOT to SVG: one function, a renderer found without system packages, a cache, every core.

The renderer is, in this order: the binary named by `OWNBOOK_DOT`, the `graphviz-pure`
binary installed with ownbook, or `dot` on PATH. SVGs are cached by a hash of the renderer
and the DOT source, in memory (which lives across `mkdocs serve` rebuilds) and on disk
(across builds), and the missing ones are rendered in parallel.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .svgclean import UnsafeSvg, clean_svg

TIMEOUT_S = 60
HOW_TO_FIX = (
    "reinstall ownbook so that its graphviz-pure dependency is present "
    "(pip install --force-reinstall graphviz-pure), install Graphviz so that `dot` is on "
    "PATH, or set OWNBOOK_DOT to the path of a Graphviz `dot` binary"
)


class RendererMissing(Exception):
    """No Graphviz renderer works; the message says how to fix it."""


@dataclass(frozen=True)
class Renderer:
    path: str
    version: str

    def run(self, dot: str) -> str:
        proc = subprocess.run(
            [self.path, "-Kdot", "-Tsvg"],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip() or f"exit {proc.returncode}"
            raise RuntimeError(f"{Path(self.path).name} failed: {message}")
        return proc.stdout.decode("utf-8", "replace")


def _probe(path: str) -> Renderer | None:
    try:
        proc = subprocess.run([path, "-V"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    version = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
    return Renderer(path, version)


def _candidates() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    scripts = sysconfig.get_path("scripts")
    for folder in (scripts, str(Path(sys.executable).parent)):
        exe = Path(folder) / ("graphviz-pure.exe" if os.name == "nt" else "graphviz-pure")
        if exe.is_file():
            out.append(("graphviz-pure", str(exe)))
    found = shutil.which("graphviz-pure")
    if found:
        out.append(("graphviz-pure", found))
    dot = shutil.which("dot")
    if dot:
        out.append(("dot", dot))
    return out


def find_renderer(env_value: str | None = None) -> Renderer:
    """The first renderer that works, or `RendererMissing` saying how to get one."""
    if env_value:
        renderer = _probe(env_value)
        if renderer is None:
            raise RendererMissing(
                f"OWNBOOK_DOT is set to '{env_value}', which does not run as Graphviz "
                f"(`{env_value} -V` failed); fix or unset it"
            )
        return renderer
    for _name, path in _candidates():
        renderer = _probe(path)
        if renderer is not None:
            return renderer
    raise RendererMissing(f"no Graphviz renderer found: {HOW_TO_FIX}")


def current_renderer() -> Renderer:
    return find_renderer(os.environ.get("OWNBOOK_DOT") or None)


@dataclass(frozen=True)
class SvgResult:
    svg: str | None = None
    error: str | None = None


class SvgCache:
    """SVGs by hash of (renderer version, DOT source), in memory and optionally on disk."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.memory: dict[str, str] = {}
        # The renderer found by the first build that drew with this cache; none found is
        # looked for again next time (Graphviz installed during `serve`).
        self.found: Renderer | None = None
        self.renders = 0  # how many times a renderer actually ran (for tests and benchmarks)

    def key(self, renderer: Renderer, dot: str) -> str:
        return hashlib.sha256(f"{renderer.version}\0{dot}".encode()).hexdigest()

    def get(self, key: str) -> str | None:
        if key in self.memory:
            return self.memory[key]
        if self.folder is not None:
            path = self.folder / f"{key}.svg"
            try:
                # The cache folder is untrusted input: what it holds is cleaned like a fresh
                # drawing, and a file that does not clean is drawn again.
                svg = clean_svg(path.read_bytes().decode("utf-8", "replace"))
            except (OSError, UnsafeSvg):
                return None
            self.memory[key] = svg
            return svg
        return None

    def put(self, key: str, svg: str) -> None:
        self.memory[key] = svg
        if self.folder is not None:
            try:
                self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                if self.folder.is_symlink():
                    return  # never written through a link (the plugin refuses one)
                tmp = self.folder / f".{key}.{os.getpid()}.tmp"
                tmp.unlink(missing_ok=True)  # a killed build's; a link is removed, not followed
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                with os.fdopen(os.open(tmp, flags, 0o600), "w", encoding="utf-8") as out:
                    out.write(svg)
                os.replace(tmp, self.folder / f"{key}.svg")
            except OSError:
                pass  # a cache that cannot be written only costs time


def render_svgs(
    dots: Iterable[str], cache: SvgCache, renderer: Renderer | None = None
) -> dict[str, SvgResult]:
    """SVG (or the reason there is none) for each DOT source; cached ones are not redrawn."""
    wanted = list(dict.fromkeys(dots))
    if renderer is None:
        try:
            renderer = cache.found = cache.found or current_renderer()
        except RendererMissing as exc:
            return {dot: SvgResult(error=str(exc)) for dot in wanted}
    results: dict[str, SvgResult] = {}
    missing: list[tuple[str, str]] = []
    for dot in wanted:
        key = cache.key(renderer, dot)
        svg = cache.get(key)
        if svg is None:
            missing.append((dot, key))
        else:
            results[dot] = SvgResult(svg)
    if missing:
        workers = max(1, min(len(missing), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for (dot, key), result in zip(
                missing,
                pool.map(lambda item: _render_one(renderer, item[0]), missing),
                strict=True,
            ):
                cache.renders += 1
                if result.svg is not None:
                    cache.put(key, result.svg)
                results[dot] = result
    return results


def _render_one(renderer: Renderer, dot: str) -> SvgResult:
    try:
        return SvgResult(clean_svg(renderer.run(dot)))
    except (RuntimeError, OSError, subprocess.SubprocessError, UnsafeSvg) as exc:
        return SvgResult(error=str(exc))
