"""Ownership insight: the Health page and `ownbook report`, `check --review`, `ownbook who`,
and `ownbook import` as a person sees them."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import textwrap
from pathlib import Path

import markdown
import openpyxl
import pytest
from click.testing import CliRunner
from ownbook.cli.app import cli
from ownbook.model.health import KINDS, assess
from ownbook.model.load import load_model
from ownbook.render import RenderOptions, render_pages

from tests.conftest import BASE, ROOT, TODAY, write_files

# A model with one of each risk: every line of it is a case.
RISKY = """\
handbook:
  title: Risky
  organization: Test Co
  lifecycle: [awareness, purchase, advocacy]
  max_accountable_per_team: 1
teams:
  - id: marketing
    name: Marketing
    roles:
      - id: data-analyst
        name: Data analyst
  - id: sales
    name: Sales
  - id: idle
    name: Idle team
  - {id: t1, name: Team 1}
  - {id: t2, name: Team 2}
  - {id: t3, name: Team 3}
  - {id: t4, name: Team 4}
  - {id: t5, name: Team 5}
stages:
  - {id: awareness, name: Awareness, summary: The customer learns that we exist.}
  - {id: purchase, name: Purchase, summary: The customer buys.}
  - {id: advocacy, name: Advocacy, summary: Customers recommend us.}
activities:
  - id: positioning
    name: Positioning updates
    kind: decision
    stages: [awareness]
    reviewed: 2026-11-01
    raci: {responsible: [marketing], accountable: marketing, consulted: [sales]}
  - id: close-deals
    name: Close deals
    stages: [purchase]
    reviewed: 2026-11-01
    raci: {responsible: [sales], accountable: sales, informed: [marketing/data-analyst]}
  - id: crowded
    name: Crowded work
    stages: [awareness]
    reviewed: 2020-01-01
    raci:
      responsible: [marketing, sales, marketing/data-analyst, t1]
      accountable: marketing
      consulted: [t1, t2, t3, t4, t5, sales, marketing/data-analyst]
      informed: [t1, t2, t3, t4, t5, sales, marketing/data-analyst]
  - id: unreviewed
    name: Unreviewed work
    stages: [purchase]
    raci: {responsible: [sales], accountable: t2}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture
def risky(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path / "content", {"model.yaml": RISKY})
    checked = load_model(Path("content"), today=TODAY)
    assert not checked.errors, [p.format() for p in checked.errors]
    return tmp_path / "content"


# BASE, with a decision in every stage: no risk at all.
CLEAN = BASE.replace("    name: Close deals\n", "    name: Close deals\n    kind: decision\n")


@pytest.fixture
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_files(tmp_path / "content", {"base.yaml": CLEAN})


def test_default_content_is_healthy() -> None:
    model = load_model(ROOT / "content", today=TODAY).model
    assert model is not None
    assert assess(model, TODAY).findings == ()
    page = html.unescape(render_pages(model, RenderOptions(today=TODAY))["health.md"])
    assert (
        "**No ownership risk found, and every assignment was confirmed within its review "
        "cadence**, checked on "
    ) in page
    assert "in 50 activities, 10 teams and 5 stages." in page
    assert "## Risks\n\nNone.\n" in page
    assert "Every assignment was confirmed within its review cadence." in page
    assert "\n### " not in page.split("## Reviews")[0]


def test_every_kind_of_risk_is_found(risky: Path) -> None:
    model = load_model(risky, today=TODAY).model
    assert model is not None
    found = [(f.kind, f.subject_id, f.message) for f in assess(model, TODAY).findings]
    assert found == [
        ("diffuse-responsibility", "crowded", "has 4 responsible parties"),
        ("overloaded-team", "marketing", "is accountable for 2 activities (the limit is 1)"),
        ("idle-team", "idle", "holds no RACI letter"),
        ("empty-stage", "advocacy", "has no activity"),
        ("stage-without-decision", "purchase", "has 2 activities and no decision"),
        ("long-consulted", "crowded", "has 7 consulted parties"),
        ("long-informed", "crowded", "has 7 informed parties"),
        ("review-overdue", "crowded", "was due 2020-06-29, 2337 days ago"),
        ("never-reviewed", "unreviewed", "has never been reviewed"),
    ]
    assert {k for k, _, _ in found} == set(KINDS)


def _as_read(text: str) -> str:
    """Links are written as HTML; the expectations name them as [text](page.md)."""
    return re.sub(r'<a href="([^"]+)\.html">([^<]+)</a>', r"[\2](\1.md)", text)


def _table_rows(page: str) -> list[str]:
    """The body rows of a page's tables as MkDocs converts them, each as '| a | b |': the
    same whether a table was written as Markdown or as HTML."""
    converted = markdown.markdown(page, extensions=["tables"])
    return [
        "| "
        + " | ".join(_as_read(html.unescape(c)) for c in re.findall(r"<td[^>]*>(.*)</td>", row))
        + " |"
        for row in re.findall(r"<tr>\n((?:<td[^>]*>.*</td>\n)+)</tr>", converted)
    ]


def test_health_page_shows_each_risk_with_where_to_fix_it(risky: Path) -> None:
    model = load_model(Path("content"), today=TODAY).model
    assert model is not None
    source = render_pages(model, RenderOptions(today=TODAY))["health.md"]
    # Character references read as the characters a reader sees.
    page = _as_read(html.unescape(source))
    assert (
        "**7 ownership risks and 2 reviews overdue or never done**, checked on "
        '<time class="ob-date" datetime="2026-11-22">2026-11-22</time>'
    ) in page
    for kind, (title, _) in KINDS.items():
        assert f"\n### {title}\n" in page, kind
    rows = [row for row in _table_rows(source) if row.startswith("| [")]
    assert [row.split(" | ") for row in rows[:9]] == [
        [
            "| [Crowded work](activities/crowded.md)",
            "has 4 responsible parties",
            "content/model.yaml:37 |",
        ],
        [
            "| [Marketing](teams/marketing.md)",
            "is accountable for 2 activities (the limit is 1)",
            "content/model.yaml:7 |",
        ],
        ["| [Idle team](teams/idle.md)", "holds no RACI letter", "content/model.yaml:14 |"],
        ["| [Advocacy](stages/advocacy.md)", "has no activity", "content/model.yaml:24 |"],
        [
            "| [Purchase](stages/purchase.md)",
            "has 2 activities and no decision",
            "content/model.yaml:23 |",
        ],
        [
            "| [Crowded work](activities/crowded.md)",
            "has 7 consulted parties",
            "content/model.yaml:37 |",
        ],
        [
            "| [Crowded work](activities/crowded.md)",
            "has 7 informed parties",
            "content/model.yaml:37 |",
        ],
        [
            "| [Crowded work](activities/crowded.md)",
            "[Marketing](teams/marketing.md)",
            '<time class="ob-date" datetime="2020-01-01">2020-01-01</time>',
            '<time class="ob-date" datetime="2020-06-29">2020-06-29</time> (2337 days ago)',
            "content/model.yaml:40 |",
        ],
        [
            "| [Unreviewed work](activities/unreviewed.md)",
            "[Team 2](teams/t2.md)",
            "never",
            "never reviewed",
            "content/model.yaml:46 |",
        ],
    ]
    # The load table: a row per team, a column per stage, letters counted by hand.
    assert rows[9:12] == [
        "| [Marketing](teams/marketing.md) "
        '<span class="ob-flag">over the limit: A for 2, limit 1</span> '
        "| 3 R · 2 A · 1 C · 1 I | 1 I |  | 8 |",
        "| [Sales](teams/sales.md) | 1 R · 2 C · 1 I | 2 R · 1 A |  | 7 |",
        "| [Idle team](teams/idle.md) |  |  |  | 0 |",
    ]


def test_report_prints_each_risk_at_its_line(risky: Path) -> None:
    code, out = run("report", "content", "--today", "2026-11-22")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "content/model.yaml:37:9: diffuse-responsibility: activity 'crowded' has 4 responsible "
        "parties; more than 3 responsible parties: name the one or two who do the work"
    )
    assert (
        "content/model.yaml:14:9: idle-team: team 'idle' holds no RACI letter; give the team a "
        "letter or remove it"
    ) in lines
    assert lines[9:12] == [
        "team       awareness    purchase  advocacy",
        "marketing  3R 2A 1C 1I  1I        -",
        "sales      1R 2C 1I     2R 1A     -",
    ]
    assert lines[-1] == "7 risks, 2 reviews overdue or missing, checked on 2026-11-22"
    assert run("report", "content", "--strict", "--today", "2026-11-22")[0] == 1
    code, out = run("report", "content", "--format", "json", "--today", "2026-11-22")
    data = json.loads(out)
    assert [f["kind"] for f in data["findings"]] == list(KINDS)
    assert data["load"]["sales"]["purchase"] == {"responsible": 2, "accountable": 1}


def test_report_on_a_clean_model(clean: Path) -> None:
    code, out = run("report", "content", "--strict", "--today", "2026-11-22")
    assert code == 0
    assert out.splitlines()[-1] == "0 risks, 0 reviews overdue or missing, checked on 2026-11-22"


def test_check_review_lists_reminders_and_never_fails(risky: Path) -> None:
    code, out = run("check", "content", "--review", "--strict", "--today", "2026-11-22")
    assert code == 0
    assert out.splitlines() == [
        "content/model.yaml:46:9: warning OB405: activity 'unreviewed' has never been reviewed; "
        "confirm the RACI with its parties and set 'reviewed: YYYY-MM-DD'",
        "content/model.yaml:40:15: warning OB404: review of 'crowded' was due on 2020-06-29 "
        "(reviewed 2020-01-01, every 180 days); confirm the RACI with its parties and update "
        "'reviewed'",
        "2 of 4 activities need a review (checked on 2026-11-22)",
    ]


def test_check_review_on_a_clean_model(clean: Path) -> None:
    code, out = run("check", "content", "--review", "--today", "2026-11-22")
    assert (code, out) == (0, "every activity was reviewed within its cadence on 2026-11-22\n")


def test_who_answers_in_words(clean: Path) -> None:
    code, out = run("who", "who owns the positioning?", "--today", "2026-11-22")
    assert code == 0
    assert out == textwrap.dedent(
        """\
        Positioning updates (decision, positioning)
          Match:       all words (positioning)
          Accountable: Marketing
          Responsible: Marketing
          Consulted:   Sales
          Informed:    -
          Stages:      Awareness
          Review:      reviewed 2026-11-01, next due 2027-04-30 (every 180 days)
          Source:      content/base.yaml:21
        """
    )


def test_who_says_when_only_some_words_matched(clean: Path) -> None:
    code, out = run("who", "positioning zebra", "--today", "2026-11-22")
    assert code == 0
    assert "  Match:       only some words: 1 of 2 (positioning); not found: zebra\n" in out
    code, out = run("who", "positioning zebra", "--format", "json", "--today", "2026-11-22")
    assert json.loads(out)[0]["match"] == (
        "only some words: 1 of 2 (positioning); not found: zebra"
    )


def test_who_ranks_id_and_name_before_words(clean: Path) -> None:
    code, out = run("who", "close-deals", "--format", "json", "--today", "2026-11-22")
    data = json.loads(out)
    assert code == 0 and data[0]["id"] == "close-deals" and data[0]["matched"] == "id"
    assert data[0]["informed"] == ["Data analyst (Marketing)"]
    assert data[0]["review_overdue"] is False
    code, out = run("who", "deal", "--format", "json")
    assert [d["id"] for d in json.loads(out)] == ["close-deals"]


def test_who_lists_a_team_by_stage_and_letter(clean: Path) -> None:
    code, out = run("who", "--team", "marketing")
    assert code == 0
    assert out == textwrap.dedent(
        """\
        Marketing holds 3 letters

        Awareness
          Accountable:
            - Positioning updates
          Responsible:
            - Positioning updates

        Purchase
          Informed:
            - Close deals (as Data analyst)
        """
    )


def test_who_errors(clean: Path) -> None:
    assert run("who", "zebra crossing")[0] == 1
    code, out = run("who", "--team", "sale")
    assert code == 2
    assert "unknown team 'sale'; did you mean 'sales'?" in out
    assert run("who")[0] == 2


def test_import_command_writes_a_model_that_checks(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Activity", "Marketing / Analyst", "Sales", "Support"])
    sheet.append(["Awareness"])
    sheet.append(["Run campaigns", "A/R", "C", "I"])
    sheet.append(["Purchase"])
    sheet.append(["Close deals", "i", "RA", "c"])
    sheet.append(["Renew", "C", "A", "A"])
    source = tmp_path / "raci.xlsx"
    book.save(source)
    out = tmp_path / "model"
    result = CliRunner().invoke(cli, ["import", str(source), "--out", str(out)])
    assert result.exit_code == 1  # one row left out
    assert "2 accountable parties (A)" in result.output
    assert f"wrote 2 activities into {out} (1 rows left out)" in result.output
    checked = load_model(out, today=dt.date(2026, 11, 22))
    assert checked.errors == ()
    assert checked.model is not None
    close = checked.model.activity_by_id["close-deals"]
    assert close.raci.accountable == "sales" and close.raci.responsible == ("sales",)
    again = CliRunner().invoke(cli, ["import", str(source), "--out", str(out)])
    assert again.exit_code == 1
    assert f"{(out / 'activities.yaml').as_posix()}: error: already exists" in again.output
    assert load_model(out, today=dt.date(2026, 11, 22)).model == checked.model  # untouched


def test_check_review_on_a_broken_model_shows_the_errors(clean: Path) -> None:
    (clean / "base.yaml").write_text(CLEAN.replace("accountable: sales", "accountable: sale"))
    code, out = run("check", "content", "--review", "--today", "2026-11-22")
    assert code == 1
    lines = out.splitlines()
    assert (
        lines[0].startswith("content/base.yaml:") and "error OB201: unknown team 'sale'" in lines[0]
    )
    assert lines[-1] == "1 error(s) in the model: fix them to see every review date"
