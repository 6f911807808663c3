"""Parts of the handbook kept from the last render, each with the inputs it was made from.

`ownbook serve` renders the whole model again after every edit. A page, table or diagram
whose inputs (see `inputs.py`) compare equal to last time's is taken from here instead of
being made again, so one edited activity costs the pages that show it, not the handbook.
Rendering stays a pure function of the model: the memo only ever saves work.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
Obj = TypeVar("Obj")
V = TypeVar("V")


class Memo:
    """One remembered value per slot (a page path, a matrix section...), with its inputs."""

    def __init__(self) -> None:
        # The last model's inputs and diagrams (see pages._prepare): a build asks for the
        # DOT sources, then for the pages, of the same model.
        self.prepared: Any = None
        self._slots: dict[Hashable, tuple[Any, Any]] = {}
        # Values derived from one immutable model object (see `derived`): this render's,
        # and the last render's, which are dropped when this one ends.
        self._derived: dict[Callable[..., Any], dict[int, tuple[object, Any]]] = {}
        self._derived_last: dict[Callable[..., Any], dict[int, tuple[object, Any]]] = {}
        self.hits = 0  # the slots reused
        # the slots made (not reused), in order: what the last edits cost
        self.made: list[Hashable] = []
        self._pages: frozenset[str] = frozenset()

    def get(self, slot: Hashable, inputs: Callable[[], Any], make: Callable[[], T]) -> T:
        """Last render's value for `slot` if `inputs()` equals the inputs it was made from,
        else `make()`. The inputs hold the model objects themselves: an object from an
        unchanged file is the very same instance (see `FileCache`), so most comparisons
        stop at identity."""
        now = inputs()
        kept = self._slots.get(slot)
        if kept is not None and kept[0] == now:
            self.hits += 1
            return kept[1]  # type: ignore[no-any-return]
        self.made.append(slot)
        value = make()
        self._slots[slot] = (now, value)
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

    def keep_only(self, pages: frozenset[str], slots: Callable[[Hashable], bool]) -> None:
        """End a render: forget the slots of pages that are gone, so a long `serve` does not
        collect them (looked at only when the set of `pages` changed), and the derived
        values of objects this render did not use."""
        self._derived_last, self._derived = self._derived, {}
        if pages != self._pages:
            self._slots = {k: v for k, v in self._slots.items() if slots(k)}
            self._pages = pages
        del self.made[:-10_000]


class NoMemo(Memo):
    """Makes everything, computes no inputs: a one-off build has nothing to reuse but the
    model's diagrams, which its `diagram_sources` and `render_pages` share."""

    def get(self, slot: Hashable, inputs: Callable[[], Any], make: Callable[[], T]) -> T:
        return make()
