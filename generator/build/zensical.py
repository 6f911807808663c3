"""Building and serving a handbook with Zensical, which runs no MkDocs plugin.

ownbook reads the handbook's `mkdocs.yml` (the ownbook plugin's options and the site's own
settings), writes the pages, assets and downloads into a work folder under the cache folder
with a configuration it owns, and runs Zensical there in a child process:

- the classic (Material) look, with no theme override but one partial that draws the edit
  button from the page's own target (Zensical would point it at the generated Markdown);
- an explicit Markdown extension list (without one Zensical enables `attr_list` and
  `md_in_html`, which would let model text add attributes and markup);
- the nav and site name from the model, and the handbook's site settings.

A build goes to the work folder's `site/` and is copied into the caller's staged folder, so
a failed build leaves the previous site. `serve` regenerates the pages on every model edit
and Zensical reloads the browser.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model.load import Checked, FileCache, load_model, unresolved_last
from ..model.problems import OwnbookError, format_problems
from ..render import RenderOptions, nav, paths, site_name
from ..render.memo import Memo
from ..render.svg import SvgCache
from . import assets, pipeline
from .engines import INSTALL, installed, plugin_options, read_config
from .output import safe_join, write_files
from .pipeline import SiteFiles, render_site, site_files

CONFIG_NAME = "zensical.yml"
MODEL_SUFFIXES = (".yaml", ".yml")

# The handbook settings carried into Zensical's configuration as they are.
SITE_KEYS = (
    "site_url",
    "site_description",
    "site_author",
    "copyright",
    "repo_url",
    "repo_name",
    "use_directory_urls",
    "dev_addr",
)
THEME_KEYS = ("language", "direction", "logo", "favicon", "icon", "variant")

# Zensical's actions partial, reduced to the edit button and pointed at the page's own
# target (its model file and line); a page without one has no button.
ACTIONS_PARTIAL = """\
{#- ownbook: the edit button opens the model line a page comes from -#}
{% set target = page.meta.EDIT_URL_KEY if page.meta else none %}
{% if target and "content.action.edit" in features %}
  <a href="{{ target | e }}" title="{{ lang.t('action.edit') }}" \
class="md-content__button md-icon" rel="edit">
    {% set icon = config.theme.icon.edit or "material/file-edit-outline" %}
    {% include ".icons/" ~ icon ~ ".svg" %}
  </a>
{% endif %}
""".replace("EDIT_URL_KEY", paths.EDIT_URL_KEY)

# Run in a child process: Zensical keeps its configuration in module state, and its
# strict failure is a RuntimeError, told here in one line rather than a traceback.
_RUNNER = """\
import sys
import zensical
command, config, flag = sys.argv[1:4]
try:
    if command == "build":
        zensical.build(config, {"strict": flag == "1", "clean": False})
    else:
        zensical.serve(config, {"dev_addr": flag or None, "open": False, "strict": False})
except KeyboardInterrupt:
    sys.exit(130)
except Exception as exc:
    print(f"zensical {command} failed: {exc}", file=sys.stderr)
    sys.exit(1)
"""


@dataclass(frozen=True)
class Handbook:
    """What the handbook's configuration asks of a Zensical build."""

    config_file: Path
    root: Path
    settings: dict[str, Any]
    content: Path
    docs_dir: Path
    cache_folder: Path
    history_limit: int
    today: dt.date | None
    keep_nav: bool
    allow_pages: bool

    @property
    def work(self) -> Path:
        return self.cache_folder / "zensical"

    @property
    def offline(self) -> bool:
        return plugin_options(self.settings, "offline") is not None


def _option(options: dict[str, Any], key: str, kind: type, default: Any, shown: str) -> Any:
    value = options.get(key, default)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise OwnbookError(f"{shown}: plugin ownbook, option '{key}': expected a whole number")
    if kind in (str, bool) and not isinstance(value, kind):
        raise OwnbookError(f"{shown}: plugin ownbook, option '{key}': expected a {kind.__name__}")
    return value


def _date(value: object, shown: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise OwnbookError(
            f"{shown}: plugin ownbook, option 'today': expected a date written YYYY-MM-DD"
        ) from None


def read_handbook(config_file: Path, content: Path | None = None) -> Handbook:
    """The handbook's configuration, read as MkDocs would (with `INHERIT` and `!ENV`), and
    the checked cache folder; `OwnbookError` when the ownbook plugin is not configured."""
    settings = read_config(config_file)
    shown = str(config_file)
    options = plugin_options(settings)
    if options is None:
        raise OwnbookError(
            f"{shown} does not list the ownbook plugin, so there is no handbook to build"
        )
    root = config_file.parent.resolve()
    cache_dir = _option(options, "cache_dir", str, pipeline.CACHE_DIR, shown)
    cache = pipeline.cache_folder(root, cache_dir)
    folder = _option(options, "content_dir", str, pipeline.CONTENT_DIR, shown)
    return Handbook(
        config_file=config_file,
        root=root,
        settings=settings,
        content=content or unresolved_last(root / folder),
        docs_dir=unresolved_last(root / str(settings.get("docs_dir") or "docs")),
        cache_folder=cache,
        history_limit=_option(options, "history_limit", int, pipeline.HISTORY_LIMIT, shown),
        today=_date(options.get("today"), shown),
        keep_nav=_option(options, "keep_nav", bool, False, shown),
        allow_pages=_option(options, "allow_pages", bool, False, shown),
    )


def zensical_config(hb: Handbook, title: str, model_nav: list[Any]) -> dict[str, Any]:
    """The configuration ownbook owns for Zensical: the handbook's site settings, the
    model's nav, ownbook's assets, theme settings and extension list."""
    user = hb.settings
    theme_setting = user.get("theme")
    user_theme: dict[str, Any] = theme_setting if isinstance(theme_setting, dict) else {}
    theme: dict[str, Any] = {
        "name": "material",
        "variant": "classic",
        "custom_dir": "overrides",
        "features": list(assets.THEME_FEATURES),
        "palette": [dict(p) for p in assets.THEME_PALETTE],
        "font": False,
    }
    for key in ("features", "palette", "font", *THEME_KEYS):
        if key in user_theme:
            theme[key] = user_theme[key]
    extensions: list[Any] = []
    named: set[str] = set()
    for entry in user.get("markdown_extensions") or []:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        if isinstance(name, str) and name not in named:
            named.add(name)
            extensions.append(entry)
    for name, options in assets.MARKDOWN_EXTENSIONS.items():
        if name in named:
            continue
        options = dict(options)
        if name == "toc":
            options["slugify"] = {"object": "ownbook.build.assets.heading_slugify"}
        extensions.append({name: options} if options else name)
    extra = dict(user.get("extra") or {}) if isinstance(user.get("extra"), dict) else {}
    if hb.offline:
        shims = [s for s in extra.get("polyfills", []) if assets.OFFLINE_SHIM_NAME not in str(s)]
        extra["polyfills"] = [*shims, assets.IFRAME_WORKER_SHIM]
    user_nav = user.get("nav")
    config: dict[str, Any] = {
        "site_name": title,
        "docs_dir": "docs",
        "site_dir": "site",
        "use_directory_urls": False,
        "nav": user_nav if hb.keep_nav and user_nav else model_nav,
        "theme": theme,
        "extra": extra,
        "extra_css": _with(_strings(user.get("extra_css")), assets.CSS),
        "extra_javascript": _with(_strings(user.get("extra_javascript")), assets.JAVASCRIPT),
        "markdown_extensions": extensions,
        "plugins": ["search", *(["offline"] if hb.offline else [])],
    }
    for key in SITE_KEYS:
        if key in user:
            config[key] = user[key]
    return config


def _with(own: list[str], ours: tuple[str, ...]) -> list[str]:
    """The handbook's own assets, then ownbook's that it does not list (as the plugin adds
    them)."""
    return [*own, *assets.missing(own, ours)]


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _hand_written(hb: Handbook) -> dict[str, bytes]:
    """The docs folder's files other than the model, which the plugin publishes only with
    `allow_pages: true` (see SECURITY.md): refused otherwise, as the plugin does."""
    docs = hb.docs_dir
    if not docs.is_dir():
        return {}
    found: dict[str, bytes] = {}
    for folder, dirs, names in os.walk(docs):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = here / name
            if name.startswith(".") or name.endswith(MODEL_SUFFIXES):
                continue
            if path.is_symlink() or not path.is_file():
                raise OwnbookError(f"{path}: a symlink or special file in docs_dir")
            found[path.relative_to(docs).as_posix()] = path.read_bytes()
    if found and not hb.allow_pages:
        shown = ", ".join(sorted(found)[:10])
        raise OwnbookError(
            f"{docs} holds files that are not model files: {shown}. They would be published "
            "as written (raw HTML and scripts included); remove them, or set the ownbook "
            "plugin's `allow_pages: true` in mkdocs.yml and review them as code"
        )
    return found


def sync_folder(folder: Path, files: dict[str, str | bytes]) -> int:
    """Make `folder` hold exactly `files`: write what changed (so Zensical sees only real
    edits), remove what is gone. Nothing is followed through a link. The count written."""
    wanted = {rel: c.encode() if isinstance(c, str) else c for rel, c in files.items()}
    folder.mkdir(parents=True, exist_ok=True)
    changed: dict[str, bytes] = {}
    for rel, data in wanted.items():
        target = safe_join(folder, rel)
        try:
            same = not target.is_symlink() and target.read_bytes() == data
        except OSError:
            same = False
        if not same:
            changed[rel] = data
    for here, dirs, names in os.walk(folder, topdown=False):
        base = Path(here)
        for name in names:
            path = base / name
            if path.relative_to(folder).as_posix() not in wanted:
                path.unlink()
        for name in dirs:
            path = base / name
            if path.is_symlink():
                path.unlink()
            elif not any(path.iterdir()):
                path.rmdir()
    write_files(folder, changed)
    return len(changed)


def _render(
    hb: Handbook, checked: Checked, today: dt.date | None, memo: Memo | None, svg: SvgCache
) -> SiteFiles:
    assert checked.model is not None
    options = RenderOptions(
        today=today or hb.today or dt.date.today(),
        source_root=str(hb.root),
        directory_urls=bool(hb.settings.get("use_directory_urls", False)),
    )
    site = render_site(
        checked.model, hb.content, options, svg, history_limit=hb.history_limit, memo=memo
    )
    return site_files(checked.model, site)


def _write_project(hb: Handbook, checked: Checked, files: SiteFiles) -> int:
    """The work folder: configuration, theme partial and docs; the count of files written."""
    assert checked.model is not None
    work = hb.work
    work.mkdir(parents=True, exist_ok=True)
    config = zensical_config(hb, site_name(checked.model), nav(checked.model))
    write_files(
        work,
        {
            CONFIG_NAME: json.dumps(config, indent=1, ensure_ascii=False) + "\n",
            "overrides/partials/actions.html": ACTIONS_PARTIAL,
        },
    )
    return sync_folder(work / "docs", {**files.all(), **_hand_written(hb)})


def _require_zensical() -> None:
    if not installed("zensical"):
        raise OwnbookError(f"--engine zensical needs Zensical ({INSTALL['zensical']})")


def _runner(command: str, hb: Handbook, flag: str) -> list[str]:
    return [sys.executable, "-c", _RUNNER, command, str(hb.work / CONFIG_NAME), flag]


def build(
    hb: Handbook,
    stage: Path,
    *,
    strict: bool,
    checked: Checked,
    today: dt.date | None,
    say: Callable[[str], None],
) -> None:
    """Build the handbook with Zensical into `stage` (which the caller swaps into place);
    `checked` is the model the caller loaded from `hb.content`."""
    _require_zensical()
    files = _render(hb, checked, today, None, SvgCache(hb.cache_folder))
    _diagram_failures(files, strict, say)
    _write_project(hb, checked, files)
    done = subprocess.run(_runner("build", hb, "1" if strict else ""), cwd=hb.work, check=False)
    if done.returncode != 0:
        raise OwnbookError(f"zensical build failed (exit {done.returncode})")
    shutil.copytree(hb.work / "site", stage, dirs_exist_ok=True, symlinks=True)


def _diagram_failures(files: SiteFiles, strict: bool, say: Callable[[str], None]) -> None:
    for failure in files.diagram_failures:
        say(f"warning: diagram not drawn: {failure}")
    if files.diagram_failures and strict:
        raise OwnbookError("diagrams could not be drawn, and --strict fails on that")


def _fingerprint(folder: Path) -> tuple[tuple[str, int, int, int], ...]:
    """What changes when a model file is saved (an editor may replace the file)."""
    out = []
    for here, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            try:
                st = os.lstat(os.path.join(here, name))
            except OSError:
                continue
            out.append((os.path.join(here, name), st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(out)


def serve(
    config_file: Path,
    dev_addr: str | None,
    *,
    strict: bool,
    say: Callable[[str], None],
    poll_seconds: float = 0.25,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Preview with Zensical: the pages are written once, Zensical serves and watches them,
    and every save of a model file writes the pages that changed (a model with errors keeps
    the last good pages and lists the problems)."""
    _require_zensical()
    hb = read_handbook(config_file)
    shown = _shown(hb)
    files_cache, memo, svg = FileCache(), Memo(), SvgCache(hb.cache_folder)

    def regenerate() -> int | None:
        checked = load_model(hb.content, today=hb.today, display_as=shown, cache=files_cache)
        if checked.fails(strict=strict) or checked.model is None:
            say(format_problems(checked.problems))
            return None
        files = _render(hb, checked, hb.today, memo, svg)
        for failure in files.diagram_failures:
            say(f"warning: diagram not drawn: {failure}")
        return _write_project(hb, checked, files)

    if regenerate() is None:
        raise OwnbookError("the model has errors; fix them and run serve again")
    addr = dev_addr or str(hb.settings.get("dev_addr") or "")
    child = subprocess.Popen(_runner("serve", hb, addr), cwd=hb.work)
    seen = _fingerprint(hb.content)
    try:
        while child.poll() is None and not stop():
            time.sleep(poll_seconds)
            now = _fingerprint(hb.content)
            if now == seen:
                continue
            seen = now
            start = time.perf_counter()
            written = regenerate()
            if written is not None:
                say(f"ownbook: {written} file(s) changed in {time.perf_counter() - start:.2f} s")
    except KeyboardInterrupt:
        pass
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    if child.returncode not in (0, 130, -signal.SIGINT) and not stop():
        raise OwnbookError(f"zensical serve stopped (exit {child.returncode})")


def _shown(hb: Handbook) -> str:
    content = hb.content
    return (
        os.path.relpath(content, hb.root).replace(os.sep, "/")
        if content.is_relative_to(hb.root)
        else str(content)
    )
