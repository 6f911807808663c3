"""The MkDocs edge: the only module that imports mkdocs.

The plugin loads and validates the model once per build, adds the rendered pages in memory
with `File.generated` (nothing is written into the docs folder), sets the nav from the
model, and turns model problems into MkDocs' own failure modes: errors abort the build with
every problem listed at file:line, warnings are logged so that `--strict` fails on them.
`build_site` and `serve_site` are what `ownbook build` and `ownbook serve` call.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.utils.yaml import yaml_load

from .build import assets, pipeline
from .build.blocks import SetAside, set_aside
from .build.downloads import downloads_of
from .build.output import refuse_output_link
from .build.parallel import Worker, in_background
from .build.rebuild import LastBuild, merged_search, site_digest, unchanged
from .build.search import IndexElsewhere, Parsed, can_run_elsewhere
from .build.templates import CompiledTemplates
from .model.load import (
    Checked,
    FileCache,
    content_problems,
    load_model,
    no_cyclic_gc,
    unresolved_last,
    walk_content,
)
from .model.objects import Model
from .model.problems import OwnbookError, Pos, Problem, Severity, format_problems
from .render import (
    RenderOptions,
    exports,
    nav,
    paths,
    render_downloads,
    site_name,
)
from .render.memo import Memo
from .render.svg import SvgCache

log = get_plugin_logger("ownbook")

# Search workers (at most one per core): the largest pages (the matrix, the FAQ, the
# stages) are parsed side by side, at the end of a build and after an edit under `serve`.
SEARCH_WORKERS = 2
# A one-off build sends a page this large to the search worker as soon as it is converted
# (the others go as they are rendered): the worker is idle while MkDocs converts, and the
# largest pages (the matrix, the FAQ, the stages) are otherwise rendered last.
EARLY_INDEX_MIN_CHARS = 131_072


class _Date(BaseConfigOption[dt.date | None]):
    """A date: a YAML date (`today: 2026-12-01`) or a string written YYYY-MM-DD."""

    def run_validation(self, value: object) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise ValidationError(f"expected a date written YYYY-MM-DD, not {value!r}")


class _Count(BaseConfigOption[int]):
    """A whole number, zero or more."""

    def __init__(self, default: int) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(f"expected a whole number, 0 or more, not {value!r}")
        return value


class OwnbookConfig(base.Config):  # type: ignore[no-untyped-call]  # MkDocs' own hook
    content_dir = c.Type(str, default=pipeline.CONTENT_DIR)
    # Rendered diagrams are kept here across builds (relative to mkdocs.yml).
    cache_dir = c.Type(str, default=pipeline.CACHE_DIR)
    # How many commits of content/ the "Ownership changes" page goes back (0: none).
    history_limit = _Count(default=pipeline.HISTORY_LIMIT)
    # Leave the nav of mkdocs.yml alone (when it has one) instead of building it from the model.
    keep_nav = c.Type(bool, default=False)
    # The date review cadence is checked against (default: the day of the build).
    today = _Date()
    # Files in the docs folder other than the model (hand-written Markdown, HTML, images)
    # reach the site as written, raw HTML and scripts included: they are code, not content,
    # so a build refuses them unless this is set (see SECURITY.md).
    allow_pages = c.Type(bool, default=False)


class _PageFile(File):
    """A generated page (or download) that can tell a dirty build it is the same as last
    time."""

    modified = True

    def is_modified(self) -> bool:
        return self.modified

    @classmethod
    def made(cls, config: MkDocsConfig, path: str, content: str | bytes) -> _PageFile:
        """`File.generated`, typed as what it makes (an instance of this class)."""
        file = cls.generated(config, path, content=content)
        assert isinstance(file, cls)
        return file


class OwnbookPlugin(BasePlugin[OwnbookConfig]):  # type: ignore[no-untyped-call]  # MkDocs'
    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        # The downloads are made in another process while MkDocs converts the pages, and
        # handed to these placeholder files before MkDocs copies them (see on_env).
        self.downloads_job: Future[dict[str, str | bytes] | None] | None = None
        self.download_files: list[_PageFile] = []
        # the generated pages' files, whose Markdown a one-off build lets go of once
        # MkDocs has converted it (see on_page_context)
        self.handed_over: list[_PageFile] = []
        self.model: Model | None = None
        self.svg_cache: SvgCache | None = None
        self.timings: dict[str, float] = {}
        # Decoded model files, kept across `serve` rebuilds: an edit re-reads one file.
        self.file_cache = FileCache()
        # Under `serve`: the pages and diagrams of the last build, reused where their inputs
        # did not change, and a process that makes the downloads beside the server thread.
        self.memo: Memo | None = None
        self.worker: Worker[FileCache] | None = None
        # The processes that parse each page for Material's search index while MkDocs
        # renders the next (see search.py): one per build, or kept under `serve`, where
        # an edit's few large pages are parsed side by side.
        self.search_workers: list[Worker[Parsed]] = []
        # the worker each large page went to, which keeps its sections (see search.py)
        self.search_homes: dict[str, int] = {}
        self.search_index: IndexElsewhere | None = None
        # The theme's compiled templates, kept across builds (see templates.py).
        self.templates = CompiledTemplates()
        # Under `ownbook serve` (dirty builds): what the last build published, and this
        # build's page files and the pages it keeps (see rebuild.py).
        self.dirty = False
        self.last: LastBuild | None = None
        self.page_files: dict[str, File] = {}
        self.kept: set[str] = set()
        self.site = ""
        # Under `serve`: the downloads being written after the build (see on_env).
        self.writer: ThreadPoolExecutor | None = None
        self.downloads_written: Future[None] | None = None
        # Each generated page's HTML blocks, set aside while MkDocs converts the rest.
        self.aside: dict[str, SetAside] = {}
        # `ownbook build` checks the model before MkDocs starts and hands it over here (the
        # content folder, the result, the seconds it took), so the YAML is read once.
        self.preloaded: tuple[Path, Checked, float] | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Having this hook keeps the plugin (its caches, memo and worker) alive across
        `serve` rebuilds."""
        if command == "serve":
            self.memo = Memo()
            self.worker = Worker(FileCache)
            self.dirty = dirty

    def on_shutdown(self) -> None:
        if self.writer is not None:
            self.writer.shutdown(wait=True)
        if self.worker is not None:
            self.worker.close()
        self._end_search_workers()

    def _end_search_workers(self) -> None:
        for worker in self.search_workers:
            worker.close()
        self.search_workers = []
        self.search_homes = {}

    def content_path(self, config: MkDocsConfig) -> Path:
        """The model folder, absolute; only its parents are resolved, so that a content
        folder that is itself a symlink is seen (and refused) by the loader."""
        return unresolved_last(Path(config.config_file_path).parent / self.config.content_dir)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.timings = {}
        with self._timed("on_config"):
            if not self.search_workers:
                # forked before the model and the pages fill this process (a one-off build);
                # `serve` runs a server thread, so its workers are spawned and kept
                serving = self.memo is not None
                count = min(SEARCH_WORKERS, os.cpu_count() or 1)
                state = partial(Parsed, keep_sections=serving)
                self.search_workers = [
                    Worker(state, fork=not serving, prefetch=serving) for _ in range(count)
                ]
                for worker in self.search_workers:
                    worker.start()
            with no_cyclic_gc():
                return self._configure(config)

    @contextmanager
    def _timed(self, step: str) -> Iterator[None]:
        """Time ownbook's own steps; `OWNBOOK_TIMINGS=FILE` writes them out after a build
        (the benchmark reads them to tell ownbook's work from MkDocs')."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - start

    @event_priority(50)  # before the search plugin writes its index
    def _post_build_first(self, *, config: MkDocsConfig) -> None:
        if self.dirty:
            self._publish_search(config)

    @event_priority(-100)  # after the search plugin has written its index
    def _post_build_last(self, *, config: MkDocsConfig) -> None:
        if self.search_index is not None:
            self.timings["search_wait"] = self.search_index.waited
            self.search_index.close()
            self.search_index = None
        if self.memo is None:
            self._end_search_workers()
        target = os.environ.get("OWNBOOK_TIMINGS")
        if target:
            Path(target).write_text(json.dumps(self.timings, indent=2))

    on_post_build = CombinedEvent(_post_build_first, _post_build_last)

    def _configure(self, config: MkDocsConfig) -> MkDocsConfig:
        _apply_site_defaults(config)
        content = self.content_path(config)
        root = Path(config.config_file_path).parent.resolve()
        shown = os.path.relpath(content, root) if content.is_relative_to(root) else str(content)
        # MkDocs empties site_dir right after this event, following a link: refuse one now.
        try:
            refuse_output_link(Path(config.site_dir), root, what="site_dir")
        except OwnbookError as exc:
            raise PluginError(str(exc)) from None
        with self._timed("load"):
            preloaded, self.preloaded = self.preloaded, None
            if preloaded is None or preloaded[0] != content:
                preloaded = None
                checked = load_model(
                    content,
                    today=self._today(),
                    display_as=Path(shown).as_posix(),
                    cache=self.file_cache,
                )
            else:
                _, checked, seconds = preloaded
                self.timings["load_before_build"] = seconds
        # MkDocs walks docs_dir next, following links and opening every file: a link or a
        # FIFO there must fail the build now (the loader has checked the content folder).
        docs = _docs_dir_problems(Path(config.docs_dir), content, root)
        found = list(dict.fromkeys([*checked.problems, *docs]))
        errors = [p for p in found if p.severity is Severity.ERROR]
        if errors or checked.model is None:
            raise PluginError(
                f"the ownership model in {content} has {len(errors)} error(s):\n"
                + format_problems(found)
            )
        for problem in checked.problems:
            (log.warning if problem.blocks_strict else log.info)(problem.format())
        model = checked.model
        self.model = model
        options = RenderOptions(
            today=self._today() or dt.date.today(),
            source_root=str(root),
            directory_urls=config.use_directory_urls,
        )
        try:
            cache_folder = self.cache_folder(root)
        except OwnbookError as exc:
            raise PluginError(str(exc)) from None
        site = pipeline.render_site(
            model,
            content,
            options,
            self._svg_cache(cache_folder),
            history_limit=self.config.history_limit,
            memo=self.memo,
            timed=self._timed,
        )
        problems = site.diagram_failures
        if problems:
            message = f"{len(problems)} kind(s) of diagram failure: " + "; ".join(problems)
            if config.strict:
                raise PluginError(message)
            log.warning(message + " (the pages show the DOT source instead)")
        self.pages = site.pages
        with self._timed("downloads"):
            if self.worker is not None and preloaded is None:
                self.downloads_job = self.worker.submit(
                    downloads_of,
                    str(content),
                    self._today(),
                    Path(shown).as_posix(),
                    self.file_cache.fingerprint,
                )
            else:
                self.downloads_job = in_background(lambda: render_downloads(model))
        config.site_name = site_name(model)
        if not (self.config.keep_nav and config.nav):
            config.nav = nav(model)
        return config

    def cache_folder(self, root: Path) -> Path:
        return pipeline.cache_folder(root, self.config.cache_dir)

    def _svg_cache(self, folder: Path) -> SvgCache:
        if self.svg_cache is None or self.svg_cache.folder != folder:
            self.svg_cache = SvgCache(folder)
        return self.svg_cache

    def _today(self) -> dt.date | None:
        return self.config.today

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        with self._timed("on_files"):
            return self._add_files(files, config)

    def _add_files(self, files: Files, config: MkDocsConfig) -> Files:
        self.handed_over = []
        for file in files:  # the model is the source of pages, never a page itself
            if file.generated_by is None and file.src_uri.endswith((".yaml", ".yml")):
                file.inclusion = InclusionLevel.EXCLUDED
        if not self.config.allow_pages:
            _refuse_pages(files, Path(config.docs_dir))
        by_path = {f.src_uri: f for f in files}
        for path, content in self.pages.items():
            existing = by_path.get(path)
            if existing is not None and existing.generated_by is None:
                raise PluginError(
                    f"{existing.abs_src_path}: this file has the same path as the generated "
                    f"page '{path}'; rename or remove it"
                )
            file = _PageFile.made(config, path, content)
            files.append(file)
            self.handed_over.append(file)
        if self.dirty:
            self._mark_unchanged(files, config)
        self.download_files = [
            _PageFile.made(config, path, content=b"") for path in exports.DOWNLOAD_PATHS
        ]
        for file in self.download_files:
            files.append(file)
        self._index_elsewhere(config)
        return files

    def _index_elsewhere(self, config: MkDocsConfig) -> None:
        """From now on (every plugin is configured), Material's search index has its pages
        parsed by the search worker (see search.py)."""
        search = _search_plugin(config)
        if search is None or not self.search_workers:
            return
        if can_run_elsewhere(search.search_index):
            self.search_index = IndexElsewhere(
                search.search_index, self.search_workers, PluginError, homes=self.search_homes
            )
            search.search_index = self.search_index

    def on_page_markdown(
        self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files
    ) -> str:
        """Hand Python-Markdown only what needs converting (see blocks.py), and point the
        edit button at the model line the page comes from (MkDocs gives a generated page
        none; a hand-written page keeps MkDocs' own)."""
        if not isinstance(page.file, _PageFile):
            return markdown
        if page.file.src_uri in self.pages:
            target = page.meta.get(paths.EDIT_URL_KEY)
            page.edit_url = target if isinstance(target, str) else None
        aside = set_aside(markdown)
        self.aside[page.file.src_uri] = aside
        return aside.markdown

    def _restore_aside(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        aside = self.aside.pop(page.file.src_uri, None)
        return aside.restore(html) if aside is not None else html

    @event_priority(-100)  # after every plugin's changes to the page
    def _start_indexing(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        """Under `serve`, the page as converted: a search worker starts on it now (the
        matrix page's parse overlaps the conversion of the others). A one-off build sends
        only its largest pages now, the others as they are rendered: during its conversion
        the other core makes the downloads, and sending every page then slowed the XL build
        (157 s against 136 s) and held more memory (389 MB against 362 MB)."""
        if self.search_index is not None and (
            self.memo is not None or len(html) >= EARLY_INDEX_MIN_CHARS
        ):
            self.search_index.prepare(page, html)
        return html

    on_page_content = CombinedEvent(_restore_aside, _start_indexing)

    def _mark_unchanged(self, files: Files, config: MkDocsConfig) -> None:
        """Tell MkDocs' dirty build which pages it may keep from the last build."""
        search = _search_plugin(config)
        theme = config.theme.custom_dir
        shared = [
            config.nav,
            config.site_name,
            Path(config.config_file_path).read_text() if config.config_file_path else "",
            _mtimes(Path(theme)) if theme else [],
            _mtimes(assets.THEME_DIR),
        ]
        self.site = site_digest(self.pages, shared=shared)
        others = [f for f in files.documentation_pages() if not isinstance(f, _PageFile)]
        # Pages written by hand, or a search plugin whose index cannot be merged: every
        # page is built each time (still without emptying the site folder).
        can_keep = search is not None and not others
        self.kept = unchanged(self.last, self.site, self.pages) if can_keep else set()
        self.page_files = {}
        for file in files.documentation_pages():
            if isinstance(file, _PageFile):
                file.modified = file.src_uri not in self.kept
                self.page_files[file.src_uri] = file

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """A page kept from the last build is not read again: give it the title it had,
        which the nav and the footer of the pages built show."""
        if self.dirty and self.last is not None:
            for path in self.kept:
                page = self.page_files[path].page
                if page is not None:
                    page.title = self.last.titles.get(path)
        return nav

    def _publish_search(self, config: MkDocsConfig) -> None:
        """The whole search index after a dirty build, as a fresh build would write it,
        handed to Material's search plugin (which writes it next); and the record of this
        build for the next."""
        search = _search_plugin(config)
        titles = {path: f.page.title if f.page else None for path, f in self.page_files.items()}
        record: dict[str, list[dict[str, Any]]] = {}
        if search is not None:
            order = [f.url for f in self.page_files.values()]
            built = [f.url for p, f in self.page_files.items() if p not in self.kept]
            kept = self.last.search if self.last is not None else {}
            entries, record = merged_search(kept, search.search_index.entries, built, order)
            search.search_index.entries = entries
            search.search_index_prev = None
        self.last = LastBuild(self.site, dict(self.pages), titles, record)

    def on_build_error(self, *, error: Exception) -> None:
        self.last = None  # the next build builds every page
        if self.search_index is not None:
            self.search_index.close()
            self.search_index = None
        if self.memo is None:
            self._end_search_workers()

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """MkDocs copies files after this event: the downloads must be there by now. (And
        the theme's templates compiled by the last build are used again.)"""
        if env.bytecode_cache is None:
            env.bytecode_cache = self.templates
        with self._timed("downloads_wait"):
            if self.downloads_job is None:
                return env
            if self.dirty and self.last is not None and not self.downloads_job.done():
                self._downloads_later()
                return env
            try:
                try:
                    made = self.downloads_job.result()
                except BrokenProcessPool:  # the worker died: the next build starts another
                    made = None
                if made is None:  # or it read other files than this build did
                    assert self.model is not None
                    made = render_downloads(self.model)
            except Exception as exc:
                raise PluginError(f"the downloads could not be made: {exc}") from exc
            for file in self.download_files:
                data = made[file.src_uri]
                file.content_bytes = data.encode() if isinstance(data, str) else data
            self.downloads_job = None
        return env

    def on_page_context(
        self, context: Any, *, page: Any, config: MkDocsConfig, nav: Navigation
    ) -> Any:
        """By the first page MkDocs renders, it has converted every page and copied every
        file: a one-off build lets go of what it handed over (the pages' Markdown and the
        downloads, about 60 MB at 5,000 activities) while MkDocs renders the rest. `serve`
        keeps its pages, to compare the next build's with."""
        if self.memo is None and (self.pages or self.download_files):
            for file in self.download_files:
                file.content_bytes = b""
            for file in self.handed_over:
                file.content_string = ""
            self.pages, self.download_files, self.handed_over = {}, [], []
        return context

    def _downloads_later(self) -> None:
        """Under `serve`, the pages do not wait for the downloads: the last ones stay in the
        site until the worker's are written over them, beside the server."""
        job, model = self.downloads_job, self.model
        assert job is not None and model is not None
        targets = [(f.src_uri, f.abs_dest_path) for f in self.download_files]
        for file in self.download_files:
            file.modified = False  # a dirty build leaves them alone
        if self.writer is None:
            self.writer = ThreadPoolExecutor(max_workers=1)
        self.downloads_written = self.writer.submit(_write_downloads, job, model, targets)
        self.downloads_job = None

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        server.watch(str(self.content_path(config)))
        return server


def build_site(
    config_file: Path,
    site_dir: Path,
    *,
    strict: bool,
    checked: Checked | None = None,
    load_seconds: float = 0.0,
    today: dt.date | None = None,
) -> None:
    """Build the site into `site_dir` (which the caller swaps into place); `checked` is the
    model the caller already loaded, in `load_seconds`."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    handler = _console_handler()
    try:
        try:
            config = load_config(str(config_file), strict=strict, site_dir=str(site_dir))
        except (ConfigurationError, ValueError) as exc:
            # MkDocs' YAML loader raises ValueError for a date such as 2026-13-40.
            raise OwnbookError(f"{config_file}: invalid configuration: {exc}") from None
        for plugin in config.plugins.values():
            if isinstance(plugin, OwnbookPlugin):
                # Refused here too (on_config checks again), so that `ownbook build` says
                # it in one line rather than through MkDocs' abort.
                plugin.cache_folder(Path(config.config_file_path).parent.resolve())
                if today is not None:
                    plugin.config["today"] = today  # the option's stored value
                if checked is not None:
                    plugin.preloaded = (plugin.content_path(config), checked, load_seconds)
        build(config)
    except Abort as exc:
        raise OwnbookError(f"mkdocs build failed: {exc}") from None
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)


def _console_handler() -> logging.Handler:
    """Print MkDocs' warnings and errors the way the `mkdocs` command does."""
    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(min(logger.level or logging.INFO, logging.INFO))
    return handler


def serve_site(config_file: Path, dev_addr: str | None, *, strict: bool) -> None:
    from mkdocs.commands.serve import serve

    kwargs: dict[str, Any] = {"strict": strict}
    if dev_addr:
        kwargs["dev_addr"] = dev_addr
    try:
        # Dirty builds: a rebuild converts and writes only the pages that changed (the
        # plugin tells MkDocs which, and completes the search index; see rebuild.py).
        serve(config_file=str(config_file), livereload=True, build_type="dirty", **kwargs)
    except Abort as exc:
        raise OwnbookError(f"mkdocs serve failed: {exc}") from None


def _write_downloads(
    job: Future[dict[str, str | bytes] | None], model: Model, targets: list[tuple[str, str]]
) -> None:
    """Wait for the worker's downloads (or make them here) and write them into the site."""
    try:
        try:
            made = job.result()
        except BrokenProcessPool:
            made = None
        if made is None:
            made = render_downloads(model)
        for uri, dest in targets:
            data = made[uri]
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            partial = f"{dest}.partial"
            with open(partial, "wb") as out:
                out.write(data.encode() if isinstance(data, str) else data)
            os.replace(partial, dest)
    except Exception as exc:  # a thread beside the server: say it, do not die silently
        log.error(f"the downloads could not be made: {exc}")


def _search_plugin(config: MkDocsConfig) -> Any:
    """Material's search plugin, when its index is what this version of ownbook knows how
    to merge after a dirty build; else None."""
    for plugin in config.plugins.values():
        index = getattr(plugin, "search_index", None)
        if not hasattr(plugin, "search_index_prev"):
            continue
        # this build's stand-in is asked nothing here: its entries are still being made
        if isinstance(index, IndexElsewhere) or isinstance(getattr(index, "entries", None), list):
            return plugin
    return None


def _mtimes(folder: Path) -> list[tuple[str, float]]:
    """The files of a theme folder and when each last changed."""
    if not folder.is_dir():
        return []
    return sorted((str(p), p.stat().st_mtime) for p in folder.rglob("*") if p.is_file())


def _docs_dir_problems(docs_dir: Path, content: Path, root: Path) -> list[Problem]:
    """Symlinks and special files in MkDocs' docs folder, when it is not the content folder
    (which the loader checks)."""
    docs = unresolved_last(docs_dir)
    if docs == content or docs.is_relative_to(content):
        return []
    shown = os.path.relpath(docs, root) if docs.is_relative_to(root) else str(docs)
    if os.path.islink(docs):
        return [Problem("OB017", Pos(shown), "docs_dir is a symlink; MkDocs would follow it")]
    found, _ = content_problems(walk_content(docs), Path(shown).as_posix(), names=False)
    return found


def _refuse_pages(files: Files, docs_dir: Path) -> None:
    """Fail on any file of the docs folder that would be published as written."""
    docs = docs_dir.resolve()
    found = sorted(
        f.src_uri
        for f in files
        if f.generated_by is None
        and not f.inclusion.is_excluded()  # type: ignore[no-untyped-call]  # MkDocs' own
        and f.abs_src_path is not None
        and Path(f.abs_src_path).resolve().is_relative_to(docs)
    )
    if found:
        shown = ", ".join(found[:10]) + (f" and {len(found) - 10} more" if len(found) > 10 else "")
        raise PluginError(
            f"{docs} holds files that are not model files: {shown}. They would be published "
            "as written (raw HTML and scripts included); remove them, or set the ownbook "
            "plugin's `allow_pages: true` in mkdocs.yml and review them as code"
        )


def _user_config(config: MkDocsConfig) -> dict[str, Any]:
    """What the handbook's own `mkdocs.yml` (with what it INHERITs) sets, before defaults:
    read again with MkDocs' own loader (the file is code, and MkDocs keeps no record of
    which keys were given)."""
    path = config.config_file_path
    if not path or not os.path.isfile(path):
        return {}
    with open(path, "rb") as stream:
        return yaml_load(stream)


def _apply_site_defaults(config: MkDocsConfig) -> None:
    """Add what ownbook's pages need (its theme folder, CSS and scripts, the Markdown
    extensions they are written for) and the settings a handbook gets unless its
    `mkdocs.yml` chooses otherwise (directory URLs off for `file://`, no web fonts, the
    nav features, a light/dark palette, link validation). Idempotent: `serve` reruns it."""
    user = _user_config(config)
    theme_dir = str(assets.THEME_DIR)
    if theme_dir not in config.theme.dirs:
        # After the handbook's own `custom_dir` (its overrides win), before Material's.
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, theme_dir)
    config.extra_css.extend(assets.missing(list(config.extra_css), assets.CSS))
    scripts = [str(script) for script in config.extra_javascript]
    config.extra_javascript.extend(assets.missing(scripts, assets.JAVASCRIPT))
    if any(name.rsplit("/", 1)[-1] == "offline" for name in config.plugins):
        shims = config.extra.get("polyfills", [])
        kept = [shim for shim in shims if assets.OFFLINE_SHIM_NAME not in str(shim)]
        config.extra["polyfills"] = [*kept, assets.IFRAME_WORKER_SHIM]
    for name, options in assets.MARKDOWN_EXTENSIONS.items():
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
        if options and name not in config.mdx_configs:  # the handbook's own options win
            config.mdx_configs[name] = dict(options)
            if name == "toc":
                config.mdx_configs[name]["slugify"] = assets.heading_id
    if "use_directory_urls" not in user:
        config.use_directory_urls = False
    theme = user.get("theme")
    chosen = theme if isinstance(theme, dict) else {}
    if config.theme.name == "material":
        if "features" not in chosen:
            config.theme["features"] = list(assets.THEME_FEATURES)
        if "palette" not in chosen:
            config.theme["palette"] = [dict(p) for p in assets.THEME_PALETTE]
        if "font" not in chosen:
            config.theme["font"] = False
    if "validation" not in user:
        for group, keys in assets.VALIDATION.items():
            for key in keys:
                setattr(getattr(config.validation, group), key, logging.WARNING)
