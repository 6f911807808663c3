"""Parts of the handbook kept from the last render, each with the record of what it read.

`ownbook serve` renders the whole model again after every edit. A page, table row or
diagram is taken from here instead of being made again when it is asked for with the same
arguments and every read in its record (see `tracked.py`) still finds the same value, so
one edited activity costs the parts that show it, not the handbook. Rendering stays a pure
function of the model: the memo only ever saves work.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from .tracked import Reads, Sources, carries_values, same

T = TypeVar("T")
Obj = TypeVar("Obj")
V = TypeVar("V")


def _plain(make: Callable[..., Any]) -> bool:
    """Whether `make` depends on nothing but its arguments and what it reads through the
    sources: a module-level function or a method of an object with no state of its own
    besides them (a closure could carry a value past the record, unseen)."""
    if not isinstance(make, (types.FunctionType, types.MethodType)):
        return False  # a partial, a callable object: values bound where no record sees them
    if carries_values(make):
        return False
    owner = getattr(make, "__self__", None)
    return owner is None or set(getattr(type(owner), "__slots__", ("?",))) <= {"src", "memo"}


class Memo:
    """One remembered value per slot (a page path, a table row...), with what it was made
    from: its arguments and its record of reads."""

    tracks = True  # hand the renderer tracked sources (see `tracked.py`)

    def __init__(self) -> None:
        # The last render's sources and diagrams (see pages._prepare): a build asks for the
        # DOT sources, then for the pages, of the same model.
        self.prepared: Any = None
        self.sources: Sources | None = None
        self._slots: dict[Hashable, tuple[tuple[Any, ...], Reads, Any]] = {}
        # Values derived from one immutable model object (see `derived`): this render's,
        # and the last render's, which are dropped when this one ends.
        self._derived: dict[Callable[..., Any], dict[int, tuple[object, Any]]] = {}
        self._derived_last: dict[Callable[..., Any], dict[int, tuple[object, Any]]] = {}
        self.hits = 0  # the slots reused
        # the slots made (not reused), in order: what the last edits cost
        self.made: list[Hashable] = []
        self._pages: frozenset[str] = frozenset()
        # the makers' functions found plain (not bound methods: those would hold a render)
        self._checked: set[Callable[..., Any]] = set()
        # values kept across renders while their basis stays the same (see `lasting`)
        self._lasting: dict[Hashable, tuple[Any, Any]] = {}

    def get(self, slot: Hashable, make: Callable[..., T], *args: Any) -> T:
        """Last render's value for `slot` if `args` are the same as then and so is every
        read it made, else `make(*args)`, recording what it reads. The record of a part
        made inside another (a row inside a table) is added to the outer part's."""
        src = self.sources
        assert src is not None, "the memo is used by one render at a time (see pages)"
        func = getattr(make, "__func__", make)
        if func not in self._checked:
            if not _plain(make):
                raise TypeError(f"memo: {make!r} may carry values its record does not see")
            self._checked.add(func)
        rec = src.recorder
        outer = rec.current
        kept = self._slots.get(slot)
        if kept is not None and src.same(kept[0], args) and src.unchanged(kept[1]):
            self.hits += 1
            if outer is not None:
                outer.update(kept[1])
            return kept[2]  # type: ignore[no-any-return]
        self.made.append(slot)
        reads: Reads = {}
        rec.current = reads
        try:
            value = make(*args)
        finally:
            rec.current = outer
        self._slots[slot] = (args, reads, value)
        if outer is not None:
            outer.update(reads)
        return value

    def derived(self, make: Callable[[Obj], V], obj: Obj) -> V:
        """`make(obj)`, a value derived from one immutable model object alone (the teams an
        activity names, the pairs of teams it links), made once per object: `serve` loads
        the very same instance again while its file is unchanged, so the value is kept
        while `obj` is. Looked up thousands of times a render: it allocates nothing once
        the value is known (an allocation can start a garbage collection of the whole
        memo)."""
        now = self._derived.get(make)
        if now is None:
            now = self._derived[make] = {}
        found = now.get(id(obj))
        if found is None or found[0] is not obj:
            last = self._derived_last.get(make)
            found = last.get(id(obj)) if last is not None else None
            if found is None or found[0] is not obj:
                found = (obj, make(obj))
            now[id(obj)] = found
        return found[1]

    def lasting(self, key: Hashable, basis: Any, make: Callable[[], T]) -> T:
        """The value `make()` gave in an earlier render if `basis` is `same` as it was
        then, else `make()` (kept for the next render)."""
        kept = self._lasting.get(key)
        if kept is not None and same(kept[0], basis):
            return kept[1]  # type: ignore[no-any-return]
        value = make()
        self._lasting[key] = (basis, value)
        return value

    def keep_only(self, pages: frozenset[str], slots: Callable[[Hashable], bool]) -> None:
        """End a render: forget the slots of pages that are gone, so a long `serve` does not
        collect them (looked at only when the set of `pages` changed), and the derived
        values of objects this render did not use."""
        self._derived_last, self._derived = self._derived, {}
        if self.sources is not None:
            self.sources.end()
        if pages != self._pages:
            self._slots = {k: v for k, v in self._slots.items() if slots(k)}
            self._pages = pages
        del self.made[:-10_000]


class NoMemo(Memo):
    """Makes everything and records nothing: a one-off build has nothing to reuse but the
    model's diagrams, which its `diagram_sources` and `render_pages` share."""

    tracks = False

    def get(self, slot: Hashable, make: Callable[..., T], *args: Any) -> T:
        return make(*args)
