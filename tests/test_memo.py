"""The memo's values derived from one model object: kept while `serve` hands back the very
same instance, made again for another (even an equal one), dropped when a render no longer
uses them."""

from __future__ import annotations

from ownbook.model.objects import Raci
from ownbook.render.memo import Memo


def test_a_derived_value_is_kept_per_instance_for_one_render_more() -> None:
    made: list[Raci] = []

    def parties(raci: Raci) -> tuple[str, ...]:
        made.append(raci)
        return tuple(p for _, p, _ in raci.letters)

    memo = Memo()
    kept = Raci(responsible=("sales",), accountable="marketing")
    assert memo.derived(parties, kept) == ("sales", "marketing")
    assert memo.derived(parties, kept) == ("sales", "marketing")
    assert made == [kept]  # made once in a render
    memo.keep_only(frozenset(), lambda _slot: True)  # the render ends
    assert memo.derived(parties, kept) == ("sales", "marketing")
    assert made == [kept]  # and kept for the next one
    equal = Raci(responsible=("sales",), accountable="marketing")
    assert equal == kept
    memo.derived(parties, equal)
    assert made == [kept, equal]  # another instance: made again, never mixed up by id
    memo.keep_only(frozenset(), lambda _slot: True)
    memo.keep_only(frozenset(), lambda _slot: True)  # a render that did not use them
    memo.derived(parties, kept)
    assert made == [kept, equal, kept]
