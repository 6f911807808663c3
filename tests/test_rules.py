"""One rule in one place: `ownbook check`, the health report and `ownbook import` ask the
same functions of `model.rules`, so what one says of a model the others say too."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from ownbook.cli.app import cli
from ownbook.commands.importer.sheet import import_sheet, write_import
from ownbook.model.health import assess
from ownbook.model.load import load_model
from ownbook.model.objects import Letter
from ownbook.model.rules import count_faults, may_hold_together
from ownbook.model.validate import validate

from tests.conftest import BASE, TODAY, write_files

# Two idle teams, an empty stage, an overloaded team, one overdue and one missing review.
WARNED = """\
handbook:
  title: Rules
  organization: Test Co
  lifecycle: [awareness, purchase, advocacy, retired]
  max_accountable_per_team: 1
teams:
  - {id: marketing, name: Marketing}
  - {id: sales, name: Sales}
  - {id: idle, name: Idle team}
  - {id: spare, name: Spare team}
stages:
  - {id: retired, name: Retired, summary: A stage nobody uses any more.}
  - {id: awareness, name: Awareness, summary: The customer learns that we exist.}
  - {id: purchase, name: Purchase, summary: The customer buys.}
  - {id: advocacy, name: Advocacy, summary: Customers recommend us.}
activities:
  - id: positioning
    name: Positioning updates
    kind: decision
    stages: [awareness]
    reviewed: 2026-11-01
    raci: {responsible: [marketing], accountable: marketing}
  - id: campaigns
    name: Campaigns
    kind: decision
    stages: [awareness]
    reviewed: 2020-01-01
    raci: {responsible: [marketing], accountable: marketing}
  - id: close-deals
    name: Close deals
    kind: decision
    stages: [purchase]
    raci: {responsible: [sales], accountable: sales, consulted: [marketing]}
"""

# The health finding each warning of `check` is, and the reverse.
KIND_OF_CODE = {
    "OB401": "idle-team",
    "OB402": "empty-stage",
    "OB403": "overloaded-team",
    "OB404": "review-overdue",
    "OB405": "never-reviewed",
}
KINDS = set(KIND_OF_CODE.values())


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    return result.output


def test_check_and_report_name_the_same_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path / "content", {"model.yaml": WARNED})
    checked = json.loads(run("check", "content", "--format", "json", "--today", "2026-11-22"))
    reported = json.loads(run("report", "content", "--format", "json", "--today", "2026-11-22"))
    warned = sorted(
        (KIND_OF_CODE[p["code"]], p["line"], p["col"]) for p in checked if p["code"] in KIND_OF_CODE
    )
    found = sorted(
        (f["kind"], f["line"], f["col"]) for f in reported["findings"] if f["kind"] in KINDS
    )
    assert warned == found
    assert [f"{p['line']}:{p['col']} {p['code']}: {p['message']}" for p in checked] == [
        "7:10 OB403: team 'marketing' is accountable for 2 activities, more than "
        "max_accountable_per_team (1)",
        "9:10 OB401: team 'idle' holds no RACI letter in any activity",
        "10:10 OB401: team 'spare' holds no RACI letter in any activity",
        "12:10 OB402: stage 'retired' has no activity",
        "15:10 OB402: stage 'advocacy' has no activity",
        "27:15 OB404: review of 'campaigns' was due on 2020-06-29 (reviewed 2020-01-01, "
        "every 180 days)",
        "29:9 OB405: activity 'close-deals' has never been reviewed",
    ]
    # The report lists stages in lifecycle order, whatever order the file gives them.
    assert [
        f"{f['line']}:{f['col']} {f['kind']}: {f['message']}" for f in reported["findings"]
    ] == [
        "7:10 overloaded-team: is accountable for 2 activities (the limit is 1)",
        "9:10 idle-team: holds no RACI letter",
        "10:10 idle-team: holds no RACI letter",
        "15:10 empty-stage: has no activity",
        "12:10 empty-stage: has no activity",
        "27:15 review-overdue: was due 2020-06-29, 2337 days ago",
        "29:9 never-reviewed: has never been reviewed",
    ]


def test_a_stage_outside_the_lifecycle_is_empty_for_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one disagreement, decided: every declared stage counts, the lifecycle's or not
    (check said so with OB207 beside OB402; health looked at the lifecycle only)."""
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path / "content", {"model.yaml": WARNED})
    model = load_model(Path("content"), today=TODAY).model
    assert model is not None
    lifecycle = tuple(s for s in model.handbook.lifecycle if s != "retired")
    outside = dataclasses.replace(
        model, handbook=dataclasses.replace(model.handbook, lifecycle=lifecycle)
    )
    problems = validate(outside, today=TODAY)
    assert [p.format() for p in problems if p.code in ("OB207", "OB402")] == [
        "content/model.yaml:12:10: error OB207: stage 'retired' is not in the handbook's "
        "lifecycle; add it to 'lifecycle' at content/model.yaml:4:14",
        "content/model.yaml:12:10: warning OB402: stage 'retired' has no activity; add an "
        "activity whose 'stages' lists it",
        "content/model.yaml:15:10: warning OB402: stage 'advocacy' has no activity; add an "
        "activity whose 'stages' lists it",
    ]
    findings = assess(outside, TODAY).findings
    # Lifecycle stages first, then the one outside it.
    assert [(f.kind, f.subject_id, str(f.pos)) for f in findings if f.subject == "stage"] == [
        ("empty-stage", "advocacy", "content/model.yaml:15:10"),
        ("empty-stage", "retired", "content/model.yaml:12:10"),
    ]
    assert sorted(
        (KIND_OF_CODE[p.code], str(p.pos)) for p in problems if p.code in KIND_OF_CODE
    ) == (sorted((f.kind, str(f.pos)) for f in findings if f.kind in KINDS))


def test_which_letters_a_party_may_hold_together() -> None:
    a, r, c, i = Letter.by_weight()
    assert may_hold_together(()) and may_hold_together((c,)) and may_hold_together((a, r))
    assert may_hold_together((r, r))
    assert not may_hold_together((c, i))
    assert not may_hold_together((a, c))
    assert not may_hold_together((a, r, c))


@pytest.mark.parametrize("accountable", [0, 1, 2])
@pytest.mark.parametrize("responsible", [0, 1, 2])
def test_the_loader_and_the_importer_count_letters_alike(
    tmp_path: Path, accountable: int, responsible: int
) -> None:
    """The RACI fields of `spec` refuse exactly the counts `count_faults` finds wrong."""
    r = ", ".join(["marketing", "sales"][:responsible])
    a = ["", "sales", "[sales, marketing]"][accountable]
    model = BASE.replace(
        "      responsible: [sales]\n      accountable: sales\n",
        f"      responsible: [{r}]\n" + (f"      accountable: {a}\n" if a else ""),
    )
    assert model != BASE
    checked = load_model(write_files(tmp_path / "content", {"base.yaml": model}), today=TODAY)
    codes = {p.code for p in checked.errors}
    faults = count_faults({Letter.ACCOUNTABLE: accountable, Letter.RESPONSIBLE: responsible})
    expected = set()
    if Letter.ACCOUNTABLE in faults:
        expected.add("OB301" if accountable == 0 else "OB302")
    if Letter.RESPONSIBLE in faults:
        expected.add("OB303")
    assert codes == expected


def test_import_warns_of_what_check_will_warn(tmp_path: Path) -> None:
    """The importer's OB304 and OB401 warnings name what `ownbook check` then reports."""
    source = tmp_path / "sheet.csv"
    source.write_text(
        "Activity,Stage,Sales,Marketing,Legal\n"
        "Qualify leads,Awareness,A/R,C,-\n"
        "Close deals,Purchase,R,A,-\n"
        "Send newsletter,Awareness,C/I,A/R,-\n",
        encoding="utf-8",
    )
    result = import_sheet(source)
    said = [m.text for m in result.warnings if "(OB304)" in m.text or "(OB401)" in m.text]
    assert said == [
        "'sales' is Consulted and Informed in 'Send newsletter'; ownbook check warns about a "
        "party holding two letters (OB304)",
        "team 'legal' holds no letter in any written activity; ownbook check warns about it "
        "(OB401)",
    ]
    assert write_import(result.files, tmp_path / "content") == ()
    checked = load_model(tmp_path / "content", today=TODAY)
    assert [p.message for p in checked.problems if p.code in ("OB304", "OB401")] == [
        "'sales' is both Consulted and Informed in 'send-newsletter'",
        "team 'legal' holds no RACI letter in any activity",
    ]
