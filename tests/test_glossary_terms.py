"""Glossary terms used in model text are marked, and show their definition as text.

The mark is ownbook's own `<span class="ob-term">`; the definition is an attribute value
that the theme's CSS shows with `attr()`, so it can only ever be text.
"""

from __future__ import annotations

import html

from bs4 import BeautifulSoup
from ownbook.render.fields import TOOLTIP_CHARS, Glossary, field_html

GLOSSARY = Glossary.of(
    [
        (("Net Promoter Score", "NPS"), "How likely a customer is to *recommend* us."),
        (("Lead", "prospect"), "A person who may buy."),
        (("Accountable", "A", "owner"), "The one who answers for it."),
    ]
)


def marks(text: str, glossary: Glossary = GLOSSARY) -> list[tuple[str, str]]:
    """(the words marked, the tooltip they show), in order."""
    doc = BeautifulSoup(field_html(text, glossary), "html.parser")
    return [(m.get_text(), str(m["data-ob-def"])) for m in doc.select("span.ob-term")]


def test_first_use_of_each_term_in_a_field_is_marked_with_its_definition_as_text() -> None:
    assert marks("Our net promoter score rose; the Net Promoter Score is watched.") == [
        ("net promoter score", "How likely a customer is to recommend us.")
    ]
    assert marks("Every lead and every prospect.") == [("lead", "A person who may buy.")]


def test_the_mark_is_a_fixed_focusable_span() -> None:
    written = field_html("Ask the owner.", GLOSSARY)
    assert written == (
        '<p>Ask the <span class="ob&#45;term" tabindex="0" role="term" '
        'data-ob-def="The one who answers for it&#46;">owner</span>&#46;</p>'
    )


def test_plurals_and_words_split_over_lines_are_marked() -> None:
    assert [m for m, _ in marks("Two leads came in.")] == ["leads"]
    assert [m for m, _ in marks("Our Net\nPromoter  Score.")] == ["Net Promoter  Score"]
    assert [m for m, _ in marks("Both NPSs.")] == ["NPSs"]


def test_acronyms_match_as_written_and_single_letters_never() -> None:
    assert marks("nps is a word here; so is A in 'A plan'.") == []
    assert [m for m, _ in marks("Report NPS.")] == ["NPS"]


def test_not_inside_words_compounds_links_or_code() -> None:
    assert marks("Leadership, misleads, lead-scoring, [lead](https://x.example) `lead`") == []
    assert [m for m, _ in marks("```\nlead\n```\n\nA lead.")] == ["lead"]


def test_the_longest_form_wins() -> None:
    glossary = Glossary.of([(("RACI", "RACI matrix"), "Who does what.")])
    assert marks("The RACI matrix.", glossary) == [("RACI matrix", "Who does what.")]


def test_a_long_definition_is_cut_in_its_tooltip() -> None:
    glossary = Glossary.of([(("churn",), "word " * 200)])
    ((_, tip),) = marks("Churn.", glossary)
    assert len(tip) == TOOLTIP_CHARS and tip.endswith("\u2026")


def test_a_hostile_definition_is_attribute_text() -> None:
    definition = '<img src=x onerror=alert(1)> "quoted" [x](javascript:alert(1)) &amp;'
    glossary = Glossary.of([(("churn",), definition)])
    written = field_html("Churn.", glossary)
    doc = BeautifulSoup(written, "html.parser")
    assert [t.name for t in doc.find_all(True)] == ["p", "span"]
    tip = str(doc.span["data-ob-def"])  # type: ignore[index]
    assert tip == '<img src=x onerror=alert(1)> "quoted" x &'
    assert "<img" not in written and html.unescape(written).count("<img") == 1


def test_a_hostile_term_is_matched_literally() -> None:
    glossary = Glossary.of([(("a.*b",), "Odd."), (("(x|",), "Odder.")])
    assert marks("aXXb and a.*b and (x|", glossary) == [("a.*b", "Odd."), ("(x|", "Odder.")]


def test_no_glossary_marks_nothing() -> None:
    assert "ob-term" not in field_html("A lead.")
