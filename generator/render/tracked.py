"""What one render reads, recorded as it reads it: the memo's dependency record.

`serve` renders the whole model again after every edit and reuses each page, table row and
diagram whose reads are unchanged (see `memo.py`). Nobody lists those reads by hand: the
renderer is handed a `TrackedModel` and `TrackedOptions` in place of the model and the
options, and every attribute it reads of them, every id it looks up and every derived view
it asks for (`Sources.view`) is noted, with the value it got, in the record of the part
being made. A new field a page shows is read through the same doors, so it is recorded
without anyone remembering to list it.

The values read are compared with `same`, which looks at every field, positions included
(a page that shows a source line must follow it when lines move).
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any, TypeVar, cast

from ..model.objects import Model
from .options import RenderOptions

T = TypeVar("T")
# what was read: ("model", name), ("key", name, id), ("option", name), ("view", fn, args)...
Spec = tuple[Hashable, ...]
Reads = dict[Spec, Any]


class _Missing:
    """What a lookup of an id the model lacks returned (it is recorded too: a page that
    looked for a team that did not exist must be made again when the team appears)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# The model's attributes read whole (iterating one reads all of it), and those that are
# indexes looked up by key, each key recorded apart.
WHOLE = ("handbook", "teams", "stages", "activities", "faqs", "glossary", "files", "lifecycle")
INDEXES = ("team_by_id", "stage_by_id", "activity_by_id", "stage_order", "activity_index")


class Recorder:
    """The record being written: the innermost part being made (None outside any part, or
    in a one-off build, which keeps nothing)."""

    __slots__ = ("current",)

    def __init__(self) -> None:
        self.current: Reads | None = None


class TrackedMapping(Mapping[str, Any]):
    """One of the model's indexes; each key looked up is recorded with what it found."""

    __slots__ = ("_name", "_raw", "_rec")

    def __init__(self, name: str, raw: Mapping[str, Any], rec: Recorder) -> None:
        self._name, self._raw, self._rec = name, raw, rec

    def _note(self, key: str) -> Any:
        value = self._raw.get(key, MISSING)
        current = self._rec.current
        if current is not None:
            current[("key", self._name, key)] = value
        return value

    def __getitem__(self, key: str) -> Any:
        value = self._note(key)
        if value is MISSING:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self._note(key)
        return default if value is MISSING else value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._note(key) is not MISSING

    def _all(self) -> Mapping[str, Any]:
        current = self._rec.current
        if current is not None:
            current[("model", self._name)] = self._raw
        return self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


class TrackedModel:
    """The model as the renderer sees it: the same attributes, each read recorded. Its
    methods (`review_due`...) run on the tracked model, so what they read is recorded."""

    def __init__(self, raw: Model, rec: Recorder) -> None:
        self._raw = raw
        self._rec = rec
        for name in INDEXES:
            setattr(self, name, TrackedMapping(name, getattr(raw, name), rec))

    def __getattr__(self, name: str) -> Any:
        # only reached for what __init__ did not set: the whole attributes and the methods
        if name in WHOLE:
            value = getattr(self._raw, name)
            current = self._rec.current
            if current is not None:
                current[("model", name)] = value
            return value
        method = getattr(Model, name, None)
        if callable(method):
            return types.MethodType(method, self)
        raise AttributeError(name)


class TrackedOptions:
    """The render's options, each one read recorded (the SVGs are read by page, through
    `Sources.svg`, not whole)."""

    def __init__(self, raw: RenderOptions, rec: Recorder) -> None:
        self._raw = raw
        self._rec = rec

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._raw, name)
        current = self._rec.current
        if current is not None:
            current[("option", name)] = value
        return value


View = Callable[..., Any]


def carries_values(fn: Callable[..., Any]) -> bool:
    """Whether a function holds values of its own (a closure's cells, default arguments)
    that a part made by it could depend on without any read being recorded."""
    func = getattr(fn, "__func__", fn)
    return (
        getattr(func, "__closure__", None) is not None
        or getattr(func, "__defaults__", None) is not None
        or bool(getattr(func, "__kwdefaults__", None))
    )


class Sources:
    """Everything one render reads: the model, its options, its diagrams and the derived
    views of them, handed out tracked (under `serve`) or as they are (a one-off build)."""

    def __init__(
        self,
        model: Model,
        options: RenderOptions,
        *,
        tracked: bool,
        derive: Callable[[Callable[[Any], Any], Any], Any] | None = None,
        lasting: Callable[[Hashable, Any, Callable[[], Any]], Any] | None = None,
    ) -> None:
        self.raw = model
        self.raw_options = options
        self.recorder = Recorder()
        self.tracked = tracked
        if tracked:
            self.model = cast(Model, TrackedModel(model, self.recorder))
            self.options = cast(RenderOptions, TrackedOptions(options, self.recorder))
        else:
            self.model, self.options = model, options
        self.diagrams: dict[str, Any] = {}
        # values derived from one model object, kept per instance (see `Memo.derived`), and
        # values kept while what they are made from stays the same (see `Memo.lasting`)
        self._derive = derive or (lambda make, obj: make(obj))
        self._lasting = lasting or (lambda _key, _basis, make: make())
        self._views: dict[tuple[View, tuple[Hashable, ...]], Any] = {}
        self._whole: dict[Callable[[Sources], Any], Any] = {}
        self._now: dict[Spec, Any] = {}
        self._same: dict[tuple[Spec, int], tuple[Any, bool]] = {}
        self._known: dict[tuple[int, int], tuple[Any, Any, bool]] = {}

    def set_options(self, options: RenderOptions) -> None:
        """The same model's pages after its diagrams: the options now carry the SVGs."""
        self.raw_options = options
        self.options = (
            cast(RenderOptions, TrackedOptions(options, self.recorder)) if self.tracked else options
        )
        # every view and index made so far may have read the options (the history...)
        self._views.clear()
        self._whole.clear()
        self._now.clear()
        self._same.clear()

    # reading -------------------------------------------------------------------------

    def view(self, fn: Callable[..., T], *args: Hashable) -> T:
        """`fn(self, *args)`: a view derived from the raw model and options (a stage's
        activities, a team's letters), made once per render and recorded whole by the part
        that asks for it. `fn` is a module-level function: the record names it, and the
        next render calls it again to see whether the value is still the same."""
        key = (fn, args)
        try:
            value = self._views[key]
        except KeyError:
            if carries_values(fn):
                raise TypeError(f"a view must not close over values: {fn.__qualname__}") from None
            value = self._views[key] = fn(self, *args)
        current = self.recorder.current
        if current is not None:
            current[("view", fn, args)] = value
        return value  # type: ignore[no-any-return]

    def whole(self, fn: Callable[[Sources], T]) -> T:
        """`fn(self)`, an index of the whole model that views look things up in, once per
        render. Not recorded: a view's own value is."""
        try:
            return self._whole[fn]  # type: ignore[no-any-return]
        except KeyError:
            value = self._whole[fn] = fn(self)
            return value

    def per_object(self, make: Callable[[Any], T]) -> Callable[[Any], T]:
        """`make` kept per model object across renders (see `Memo.derived`)."""
        derive = self._derive
        return lambda obj: derive(make, obj)

    def lasting(self, key: Hashable, basis: Any, make: Callable[[], T]) -> T:
        """`make()`, or the value it gave in an earlier render whose `basis` was `same`:
        for a value compared by identity elsewhere (the glossary, a key of the field
        cache)."""
        return self._lasting(key, basis, make)  # type: ignore[no-any-return]

    def diagram(self, path: str) -> Any:
        """The diagram drawn on a page (made before the pages are), or None."""
        value = self.diagrams.get(path)
        current = self.recorder.current
        if current is not None:
            current[("diagram", path)] = value
        return value

    # checking a record ---------------------------------------------------------------

    def end(self) -> None:
        """The render is over: let go of the values its comparisons held."""
        self._now.clear()
        self._same.clear()
        self._known.clear()

    def same(self, a: Any, b: Any) -> bool:
        """`same(a, b)`, with this render's answers for pairs already compared."""
        return same(a, b, self._known)

    def now(self, spec: Spec) -> Any:
        """What `spec` reads in this render."""
        try:
            return self._now[spec]
        except KeyError:
            pass
        kind = spec[0]
        if kind == "model":
            value = getattr(self.raw, cast(str, spec[1]))
        elif kind == "key":
            value = getattr(self.raw, cast(str, spec[1])).get(spec[2], MISSING)
        elif kind == "option":
            value = getattr(self.raw_options, cast(str, spec[1]))
        elif kind == "diagram":
            value = self.diagrams.get(cast(str, spec[1]))
        elif kind == "view":
            fn, args = cast(View, spec[1]), cast(tuple[Hashable, ...], spec[2])
            key = (fn, args)
            if key not in self._views:
                self._views[key] = fn(self, *args)
            value = self._views[key]
        else:
            raise ValueError(f"unknown read {spec!r}")
        self._now[spec] = value
        return value

    def unchanged(self, reads: Reads) -> bool:
        """Whether every read of a record gets the same value in this render."""
        cache = self._same
        for spec, old in reads.items():
            key = (spec, id(old))
            found = cache.get(key)
            if found is None or found[0] is not old:  # (holding `old` keeps its id its own)
                found = cache[key] = (old, same(old, self.now(spec), self._known))
            if not found[1]:
                return False
        return True


@functools.cache
def _fields(cls: Any) -> tuple[str, ...] | None:
    """A dataclass's fields, those left out of == (positions) included, not the indexes it
    derives from the others (init=False); None for any other type."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


def same(a: Any, b: Any, known: dict[tuple[int, int], tuple[Any, Any, bool]] | None = None) -> bool:
    """Deep equality that also compares what `==` leaves out (`pos`): whether a part made
    from `a` would come out the same from `b`. Identity first: an object of an unchanged
    file is the very same instance (see `FileCache`). `known`: the answers for pairs of
    dataclass objects so far in this render (an activity of an edited file is compared
    with its last version by many records); it holds both objects, so their ids stay
    theirs."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is tuple or kind is list:
        return len(a) == len(b) and all(same(x, y, known) for x, y in zip(a, b, strict=True))
    names = _fields(cast(Hashable, kind))
    if names is not None:
        if known is None:
            return all(same(getattr(a, n), getattr(b, n)) for n in names)
        pair = (id(a), id(b))
        found = known.get(pair)
        if found is None or found[0] is not a or found[1] is not b:
            result = all(same(getattr(a, n), getattr(b, n), known) for n in names)
            found = known[pair] = (a, b, result)
        return found[2]
    if isinstance(a, Mapping):
        return a.keys() == b.keys() and all(same(v, b[k], known) for k, v in a.items())
    return bool(a == b)
