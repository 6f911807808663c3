"""Material's search index, its pages parsed in another process while MkDocs works.

Material's search plugin parses every page's HTML again, in pure Python, on the core that
renders the pages: a third of a large build, and half of a `serve` rebuild after an edit
(the matrix page alone is a megabyte of table). `IndexElsewhere` takes the place of the
plugin's index for one build. Each page goes to a `Worker`, which runs Material's own
index code on it, as soon as MkDocs has converted it (`prepare`), so the parse overlaps
the conversion of the next pages and the rendering of all of them; a thread sends them,
so the renderer never waits for the worker. When Material indexes the page itself
(`add_entry_from_context`, at render time), the page is compared with what was sent: the
same, it is only put in its place in the order; changed since (another plugin rewrote
it), it is sent again. The entries come back, in Material's order, when the index is
asked for them: the index is the one Material would have made in this process, entry for
entry (the tests compare them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from .parallel import Worker

# What Material's index reads of a page's meta (see `SearchIndex.create_entry_for_section`).
META_KEYS = ("search", "tags", "title")
# The index class this module knows how to run elsewhere: its constructor, the page
# attributes it reads and its `entries` list are known (another one is left alone).
KNOWN_INDEX = ("material.plugins.search.plugin", "SearchIndex")

Entries = list[dict[str, Any]]
Parsed = dict[str, Entries]  # the worker's state: each page's entries, by its source path


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
    index = index_type()
    index.add_entry_from_context(page)
    parsed[key] = index.entries


def take_entries(parsed: Parsed, order: list[str]) -> Entries:
    """In the worker: the entries of the pages `order` names, in that order; forgets all."""
    try:
        missing = [key for key in order if key not in parsed]
        if missing:  # a worker started again during the build has not seen them
            raise LookupError(f"the worker lost the entries of {len(missing)} page(s)")
        return [entry for key in order for entry in parsed[key]]
    finally:
        parsed.clear()


class IndexElsewhere:
    """Stands in for Material's `SearchIndex` for one build; `inner` is the real one, which
    gets the entries and writes the index. A page the worker could not index fails the
    build with `fail(message)` (the plugin's error), as it would have in this process."""

    def __init__(
        self, inner: Any, worker: Worker[Parsed], fail: Callable[[str], Exception]
    ) -> None:
        self.inner = inner
        self.worker = worker
        self.fail = fail
        self.config = inner.config
        self.waited = 0.0  # seconds the build spent waiting for the worker's entries
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ownbook-search")
        self._sent: dict[str, IndexedPage] = {}  # prepared, not yet indexed by Material
        self._order: list[str] = []
        self._calls: list[tuple[str, Future[Future[None]]]] = []
        self._taken = False
        self._send(take_entries, [])  # what a failed build left behind is dropped

    def _send(self, fn: Callable[..., Any], *args: Any) -> Future[Future[Any]]:
        def send() -> Future[Any]:
            self.worker.drain()  # unread replies would fill the pipe and stop the worker
            return self.worker.submit(fn, *args)

        return self._sender.submit(send)

    def prepare(self, page: Any, content: str) -> None:
        """A page MkDocs has just converted to `content`: parsed from now on, beside the
        build."""
        key = page.file.src_uri
        self._sent[key] = now = indexed(page, content)
        self._calls.append((key, self._send(index_page, key, type(self.inner), now)))

    def add_entry_from_context(self, page: Any) -> None:
        """Material's call, as it renders the page: its entries come in this order."""
        key = page.file.src_uri
        now = indexed(page, page.content)
        if self._sent.pop(key, None) != now:
            self._calls.append((key, self._send(index_page, key, type(self.inner), now)))
        self._order.append(key)

    @property
    def entries(self) -> Entries:
        """Every page's entries, in the order Material indexed the pages (waits for them)."""
        if not self._taken:
            self._taken = True
            self._sent.clear()
            start = time.perf_counter()
            try:
                self.inner.entries.extend(self._take())
            finally:
                self.waited += time.perf_counter() - start
        entries: Entries = self.inner.entries
        return entries

    @entries.setter
    def entries(self, value: Entries) -> None:
        self.entries  # noqa: B018  # the worker's, taken first: none comes after
        self.inner.entries = value

    def _take(self) -> Entries:
        taken = self._send(take_entries, self._order)
        self._sender.shutdown(wait=True)
        try:
            for key, call in self._calls:
                try:
                    call.result().result()
                except BrokenProcessPool:
                    raise
                except Exception as exc:
                    raise self.fail(f"{key}: the search index: {exc}") from exc
            result: Entries = taken.result().result()
            return result
        except (BrokenProcessPool, LookupError) as exc:
            raise self.fail(f"the search index could not be made: {exc}") from exc

    def generate_search_index(self, prev: Any) -> str:
        self.entries  # noqa: B018
        data: str = self.inner.generate_search_index(prev)
        return data

    def close(self) -> None:
        """A build that failed: stop sending (the worker's leftovers go at the next build)."""
        self._sender.shutdown(wait=False, cancel_futures=True)
