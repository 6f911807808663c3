"""Material's search index, its pages parsed in other processes while MkDocs works.

Material's search plugin parses every page's HTML again, in pure Python, on the core that
renders the pages: a third of a large build, and half of a `serve` rebuild after an edit
(the matrix page alone is a megabyte of table). `IndexElsewhere` takes the place of the
plugin's index for one build. Each page goes to one of the `Worker`s (the one least
behind), which runs Material's own index code on it, as soon as MkDocs has converted it
(`prepare`: every page under `serve`, the largest in a one-off build) or renders it, so
the parse overlaps the build. A page is sent only when a worker's pipe has room for it,
so the renderer never waits: the others wait in line (MkDocs' own strings, nothing is
copied) until a later page, or the end of the build, finds room. When Material indexes
the page itself (`add_entry_from_context`, at render time), the page is compared with
what was sent: the same, it is only put in its place in the order; changed since
(another plugin rewrote it), it is sent again. The entries come back, in Material's
order, when the index is asked for them (or the first worker writes the file): the index
is the one Material would have made in this process, entry for entry (the tests compare
them).

A large page is parsed a section at a time (`_sections`), and under `serve` a worker
keeps the sections of the pages it parsed, and gets those pages again: after an edit,
only the sections that changed are parsed (one stage's part of the matrix, not all).
"""

from __future__ import annotations

import copy
import json
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from .parallel import Worker

# What Material's index reads of a page's meta (see `SearchIndex.create_entry_for_section`).
META_KEYS = ("search", "tags", "title")
# The index class this module knows how to run elsewhere: its constructor, the page
# attributes it reads and its `entries` list are known (another one is left alone).
KNOWN_INDEX = ("material.plugins.search.plugin", "SearchIndex")

# what a page's request holds besides its HTML (its URL, title, table of contents...)
SLACK_BYTES = 16_384

# A page this large is parsed a section at a time (see `_sections`); under `serve` each
# section is kept for the page's next version, so an edit re-parses only what it changed.
SECTIONED_MIN_CHARS = 32_768
# Where a section of a page may start: a heading Markdown wrote (never the page's h1).
# Only a proposal: the parse tells whether the page can be cut there.
SECTION_START = re.compile(r"<h[2-6] id=")

Entries = list[dict[str, Any]]


class Parsed:
    """The worker's state: each page's entries (or why it has none), by the page's source
    path; and, under `serve`, the parsed sections of each large page's last version."""

    def __init__(self, keep_sections: bool = False) -> None:
        self.pages: dict[str, Entries | str] = {}
        self.keep_sections = keep_sections
        self.sections: dict[str, dict[tuple[bool, bool, str], list[Any]]] = {}


class PageNotIndexed(Exception):
    """Material's index code failed on a page (raised by the worker when asked for all)."""


@dataclass(frozen=True)
class IndexedPage:
    """What Material's index reads of a page, and nothing else (it crosses a pipe). Two
    compare equal when the index would read the same from both."""

    content: str
    url: str
    title: str | None
    meta: dict[str, Any]
    toc_shape: tuple[Any, ...]
    toc: Any = field(compare=False)  # the object Material walks; compared by its shape


def indexed(page: Any, content: str) -> IndexedPage:
    meta = {key: page.meta[key] for key in META_KEYS if key in page.meta}
    return IndexedPage(content, page.url, page.title, meta, _shape(page.toc), page.toc)


def _shape(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple((i.id, i.title, i.level, _shape(i.children)) for i in items)


def can_run_elsewhere(index: object) -> bool:
    cls = type(index)
    return (cls.__module__, cls.__qualname__) == KNOWN_INDEX and isinstance(
        getattr(index, "entries", None), list
    )


def index_page(parsed: Parsed, key: str, index_type: type[Any], page: IndexedPage) -> None:
    """In the worker: Material's index code over one page (a page sent again replaces the
    entries it had)."""
    try:
        index = index_type()
        try:
            sections = _sections(parsed, key, index_type, page.content)
        except (AttributeError, TypeError, IndexError):  # another Material: its own way
            sections = None
        if sections is None:
            parsed.sections.pop(key, None)
            index.add_entry_from_context(page)
        else:
            # the rest of Material's `add_entry_from_context`, over the same sections
            search = page.meta.get("search") or {}
            if not search.get("exclude"):
                for section in sections:
                    if not section.is_excluded():
                        index.create_entry_for_section(section, page.toc, page.url, page)
        parsed.pages[key] = index.entries
    except Exception as exc:  # told when the entries are asked for: no reply is awaited
        parsed.pages[key] = f"{type(exc).__name__}: {exc}"


def _sections(parsed: Parsed, key: str, index_type: type[Any], content: str) -> list[Any] | None:
    """The sections Material's `Parser` makes of a large page, made a part at a time; None
    when the page is small, or cannot be cut (then it is parsed whole, as Material does).

    Material's parser reads a page as a stream: it starts a section at each heading, and
    what it does next depends on its state. Cut just before a heading at which the parse
    before it has closed every element and left nothing unread (no tag, comment or script
    open), the page's parse is the parse of the part before the cut followed by that of the
    part after it, each with a new parser, less the empty preface section that a new
    parser opens before a first heading that is not an h1. So each part is parsed alone and
    checked to end that way; a part that does not, and the page is parsed whole."""
    if len(content) < SECTIONED_MIN_CHARS or not _known_parser(index_type):
        return None
    parser_type = sys.modules[index_type.__module__].Parser
    cuts = [m.start() for m in SECTION_START.finditer(content) if m.start() > 0]
    bounds = [0, *cuts, len(content)]
    kept = parsed.sections.get(key, {})
    now: dict[tuple[bool, bool, str], list[Any]] = {}
    out: list[Any] = []
    for i in range(len(bounds) - 1):
        part = content[bounds[i] : bounds[i + 1]]
        role = (i == 0, i == len(bounds) - 2, part)  # the first and the last part end differently
        found = now.get(role)
        if found is None:
            found = kept.get(role)
        if found is None:
            found = _parse_part(parser_type, part, first=role[0], last=role[1])
            if found is None:
                return None
        now[role] = found
        out.extend(_copy(section) for section in found)
    if parsed.keep_sections:
        parsed.sections[key] = now
    return out


def _parse_part(parser_type: type[Any], part: str, *, first: bool, last: bool) -> list[Any] | None:
    """One part of a page, parsed by a new parser: its sections, or None if the part does
    not end with every element closed and nothing left unread (the last part ends the
    page: whatever is open there is closed as a whole-page parse closes it)."""
    parser = parser_type()
    parser.feed(part)
    unread = getattr(parser, "rawdata", None)  # html.parser's own state: read, not assumed
    in_cdata = getattr(parser, "cdata_elem", "unknown")
    if not last and (unread != "" or in_cdata is not None or parser.context):
        return None
    parser.close()
    data: list[Any] = parser.data
    if first:
        return data
    # a new parser opens an empty preface before a first heading that is not an h1
    if len(data) < 2 or data[0].el.tag != "hx" or data[0].title or data[0].text:
        return None
    if data[1].el.tag == "hx" or data[1].id is None:
        return None
    return data[1:]


def _copy(section: Any) -> Any:
    """A section to hand to Material's entry code (which may set its title): the parsed
    one is kept unchanged for the page's next version."""
    made = copy.copy(section)
    made.title = list(section.title)
    made.text = list(section.text)
    return made


def _known_parser(index_type: type[Any]) -> bool:
    """Material's index, whose module holds the `Parser` its `add_entry_from_context` uses."""
    module = sys.modules.get(index_type.__module__)
    return (index_type.__module__, index_type.__qualname__) == KNOWN_INDEX and hasattr(
        module, "Parser"
    )


def take_pages(parsed: Parsed, order: list[str]) -> list[Entries]:
    """In the worker: the entries of each page `order` names, in that order; forgets all
    it holds (a page sent again to another worker leaves nothing behind here)."""
    try:
        pages = parsed.pages
        missing = [key for key in order if key not in pages]
        if missing:  # a worker started again during the build has not seen them
            raise LookupError(f"the worker lost the entries of {len(missing)} page(s)")
        taken: list[Entries] = []
        for key in order:
            found = pages[key]
            if isinstance(found, str):
                raise PageNotIndexed(f"{key}: the search index: {found}")
            taken.append(found)
        return taken
    finally:
        pages.clear()


def take_pages_text(parsed: Parsed, order: list[str]) -> list[str]:
    """In the worker: `take_pages`, each page's entries as JSON text (as Material writes
    them), which the caller passes on to the worker that writes the file without reading
    them."""
    return [
        json.dumps(entries, separators=(",", ":"), default=str)
        for entries in take_pages(parsed, order)
    ]


def index_file(
    parsed: Parsed,
    order: list[str],
    index_type: type[Any],
    config: dict[str, Any],
    elsewhere: dict[str, str] | None = None,
) -> str:
    """In the worker: the index file, as Material writes it from the entries of the pages
    `order` names: its own, and those another worker parsed (`elsewhere`, as JSON text)."""
    others = elsewhere or {}
    own = iter(take_pages(parsed, [key for key in order if key not in others]))
    index = index_type(**config)
    index.entries = [
        entry
        for key in order
        for entry in (json.loads(others[key]) if key in others else next(own))
    ]
    data: str = index.generate_search_index(None)
    return data


class IndexElsewhere:
    """Stands in for Material's `SearchIndex` for one build; `inner` is the real one, which
    gets the entries and writes the index. Pages go to `workers` (one, or several under
    `serve`, where an edit's few large pages are parsed side by side), each to the one
    least behind. A page the worker could not index fails the build with `fail(message)`
    (the plugin's error), as it would have in this process."""

    def __init__(
        self,
        inner: Any,
        workers: Sequence[Worker[Parsed]],
        fail: Callable[[str], Exception],
        *,
        homes: dict[str, int] | None = None,
    ) -> None:
        if not workers:
            raise ValueError("IndexElsewhere needs a worker")
        self.inner = inner
        self.workers = list(workers)
        self.fail = fail
        self.config = inner.config
        self.waited = 0.0  # seconds the build spent waiting for the workers' entries
        self._sent: dict[str, IndexedPage] = {}  # prepared, not yet indexed by Material
        self._order: list[str] = []
        self._line: deque[tuple[str, IndexedPage]] = deque()  # to send when there is room
        self._where: dict[str, int] = {}  # page -> the worker it was last sent to
        # large page -> the worker that keeps its sections from the last build (which it
        # goes to again: only its changed sections are parsed); kept by the caller
        self._homes = homes if homes is not None else {}
        # each worker's parses not answered yet: (the call, the page's size)
        self._behind: list[deque[tuple[Future[Any], int]]] = [deque() for _ in self.workers]
        self._taken = False
        for w in range(len(self.workers)):
            self._send(w, take_pages, [])  # what a failed build left behind is dropped

    def _send(self, w: int, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        worker = self.workers[w]
        worker.drain()  # unread replies would fill their pipe and stop the worker
        return worker.submit(fn, *args)

    def _send_page(self, w: int, key: str, page: IndexedPage) -> None:
        done = self._send(w, index_page, key, type(self.inner), page)  # its reply is not kept
        self._behind[w].append((done, _size(page)))
        self._where[key] = w
        if len(page.content) >= SECTIONED_MIN_CHARS:
            self._homes[key] = w

    def _backlog(self, w: int) -> int:
        """The bytes of pages sent to worker `w` that it has not finished parsing."""
        behind = self._behind[w]
        while behind and behind[0][0].done():
            behind.popleft()
        return sum(size for _, size in behind)

    def _choose(self, key: str, page: IndexedPage, *, any_room: bool = False) -> int | None:
        """The worker that keeps the page's sections, else the one least behind, whose pipe
        has room for the page now (any worker, if `any_room`); None when none has room."""
        ranked = sorted(range(len(self.workers)), key=self._backlog)
        home = self._homes.get(key)
        if home is not None and home < len(self.workers):
            ranked.remove(home)
            ranked.insert(0, home)
        if any_room:
            return ranked[0]
        return next((w for w in ranked if self._fits(w, page)), None)

    def _queue(self, key: str, page: IndexedPage) -> None:
        self._line.append((key, page))
        self._send_what_fits()

    def _send_what_fits(self, *, all_of_it: bool = False) -> None:
        """Send the pages in line while a pipe has room for them (all, at the end)."""
        line = self._line
        while line:
            w = self._choose(*line[0], any_room=all_of_it)
            if w is None:
                return
            key, page = line.popleft()
            self._send_page(w, key, page)

    def _fits(self, w: int, page: IndexedPage) -> bool:
        """Whether worker `w`'s pipe has room for the page now (one larger than the pipe
        goes when the pipe is empty); where its room cannot be known, every page fits."""
        worker = self.workers[w]
        capacity = worker.capacity
        if not capacity:
            return True
        room = worker.room()
        size = _size(page)
        return size <= room or (size > capacity and room == capacity)

    def prepare(self, page: Any, content: str) -> None:
        """A page MkDocs has just converted to `content`: sent now if a worker's pipe has
        room for it, so that its parse overlaps the build; else it waits for Material's
        call (nothing is kept for it meanwhile)."""
        now = indexed(page, content)
        key = page.file.src_uri
        w = None if self._line else self._choose(key, now)
        if w is not None:
            self._sent[key] = now
            self._send_page(w, key, now)

    def add_entry_from_context(self, page: Any) -> None:
        """Material's call, as it renders the page: its entries come in this order."""
        key = page.file.src_uri
        now = indexed(page, page.content)
        if self._sent.pop(key, None) != now:
            self._queue(key, now)
        else:
            self._send_what_fits()
        self._order.append(key)

    @property
    def entries(self) -> Entries:
        """Every page's entries, in the order Material indexed the pages (waits for them)."""
        if not self._taken:
            self.inner.entries.extend(self._take(self._gather))
        entries: Entries = self.inner.entries
        return entries

    @entries.setter
    def entries(self, value: Entries) -> None:
        self.entries  # noqa: B018  # the workers', taken first: none comes after
        self.inner.entries = value

    def generate_search_index(self, prev: Any) -> str:
        """The index file. Asked for before any entry (a one-off build), the first worker
        writes it with Material's own code, from its entries and the others' (passed on as
        JSON text): this process never holds the entries, only text."""
        if not self._taken and prev is None:
            data: str = self._take(self._index_file)
            return data
        self.entries  # noqa: B018
        data = self.inner.generate_search_index(prev)
        return data

    def _index_file(self) -> str:
        mine = self._mine()
        asked = [(mine[w], self._send(w, take_pages_text, mine[w])) for w in mine if w]
        elsewhere: dict[str, str] = {}
        for keys, texts in asked:
            elsewhere.update(zip(keys, texts.result(), strict=True))
        config = dict(self.inner.config)
        made = self._send(0, index_file, self._order, type(self.inner), config, elsewhere)
        data: str = made.result()
        return data

    def _mine(self) -> dict[int, list[str]]:
        """The pages each worker holds, in Material's order."""
        return {
            w: [key for key in self._order if self._where.get(key) == w]
            for w in range(len(self.workers))
        }

    def _gather(self) -> Entries:
        """Each worker's pages, laid out in Material's order."""
        asked = [self._send(w, take_pages, keys) for w, keys in self._mine().items()]
        pages = [iter(a.result()) for a in asked]  # every worker asked before any waited for
        return [entry for key in self._order for entry in next(pages[self._where[key]])]

    def _take(self, fn: Callable[[], Any]) -> Any:
        """Send what is left, then `fn()`, which asks the workers for what they hold."""
        self._taken = True
        self._sent.clear()
        start = time.perf_counter()
        try:
            self._send_what_fits(all_of_it=True)
            return fn()
        except PageNotIndexed as exc:
            raise self.fail(str(exc)) from exc
        except (BrokenProcessPool, LookupError) as exc:
            raise self.fail(f"the search index could not be made: {exc}") from exc
        finally:
            self.waited += time.perf_counter() - start

    def close(self) -> None:
        """The build is over, or failed: nothing more is sent (what the workers have left
        goes at the next build's start)."""
        self._sent.clear()
        self._line.clear()
        self._behind = [deque() for _ in self.workers]


def _size(page: IndexedPage) -> int:
    return len(page.content) + SLACK_BYTES
