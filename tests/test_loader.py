"""The hardened loader: what it keeps as typed, what it refuses, and where it says so."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from ownbook.model.load import Checked, find_model_files, load_model
from ownbook.model.yamltree import MAX_FILE_BYTES

from tests.conftest import BASE, TODAY, write_files


def test_yaml11_implicit_types_stay_text(check_files: Callable[..., Checked]) -> None:
    checked = check_files(
        {
            "bad.yaml": """\
            teams:
              - id: norway
                name: no
                lead: on
                summary: 1.10
                github: "@org/012"
                contact:
                  channel: 12:30
                  email: 012
            activities:
              - id: extra
                name: Extra
                stages: [awareness]
                reviewed: 2026-11-01
                raci:
                  responsible: [norway]
                  accountable: norway
            """
        }
    )
    assert checked.problems == ()
    assert checked.model is not None
    team = checked.model.team_by_id["norway"]
    assert (team.name, team.lead, team.summary) == ("no", "on", "1.10")
    assert team.contact is not None
    assert (team.contact.channel, team.contact.email) == ("12:30", "012")


def test_typed_fields_convert(check_files: Callable[..., Checked]) -> None:
    base = BASE.replace("  lifecycle:", "  loop: false\n  review_every_days: 90\n  lifecycle:")
    checked = check_files({"base.yaml": base})
    assert checked.model is not None
    hb = checked.model.handbook
    assert (hb.loop, hb.review_every_days, hb.edit_branch) == (False, 90, "main")
    import datetime as dt

    assert checked.model.activity_by_id["positioning"].reviewed == dt.date(2026, 11, 1)


def test_lists_merge_across_files_in_path_order(check_files: Callable[..., Checked]) -> None:
    checked = check_files(
        {
            "z/last.yaml": "glossary:\n  - term: Zeta\n    definition: Last.\n",
            "a/first.yaml": "glossary:\n  - term: Alpha\n    definition: First.\n",
        }
    )
    assert checked.model is not None
    assert [t.term for t in checked.model.glossary] == ["Alpha", "Zeta"]
    assert checked.files == ("content/a/first.yaml", "content/base.yaml", "content/z/last.yaml")


def test_bom_and_crlf_are_accepted(check_files: Callable[..., Checked]) -> None:
    data = b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode()
    checked = check_files({"base.yaml": data})
    assert checked.problems == ()


def test_crlf_positions_are_still_right(check_files: Callable[..., Checked]) -> None:
    data = BASE.replace("accountable: sales", "accountable: sale").replace("\n", "\r\n")
    checked = check_files({"base.yaml": data.encode()})
    assert [str(p.pos) for p in checked.problems] == ["content/base.yaml:36:20"]


def test_file_over_size_bound(check_files: Callable[..., Checked]) -> None:
    big = "# " + "x" * 100 + "\n"
    data = (big * (MAX_FILE_BYTES // len(big) + 1)).encode()
    checked = check_files({"big.yaml": data})
    [problem] = checked.problems
    assert problem.code == "OB002"
    assert str(problem.pos) == "content/big.yaml:1:1"
    assert "over the limit of 8,388,608" in problem.message


def test_no_model_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path / "content", {"notes.txt": "not a model"})
    checked = load_model(Path("content"), today=TODAY)
    assert [(p.code, str(p.pos)) for p in checked.problems] == [("OB013", "content")]


def test_missing_folder(tmp_path: Path) -> None:
    checked = load_model(tmp_path / "nope", today=TODAY)
    assert [p.code for p in checked.problems] == ["OB001"]


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlink_out_of_content_is_refused(
    tmp_path: Path, check_files: Callable[..., Checked]
) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("glossary: []\n")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "link.yaml").symlink_to(outside)
    checked = check_files({})
    assert [p.format() for p in checked.problems] == [
        "content/link.yaml: error OB017: this is a symlink, and ownbook does not follow links "
        "in the content folder; put the file or folder itself here, or remove the link"
    ]


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_dangling_symlink_is_refused_not_read(
    tmp_path: Path, check_files: Callable[..., Checked]
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "gone.yaml").symlink_to("missing.yaml")
    checked = check_files({})
    assert [(p.code, str(p.pos)) for p in checked.problems] == [("OB017", "content/gone.yaml")]


def test_unreadable_file_is_reported(
    check_files: Callable[..., Checked], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def refuse(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("locked.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    checked = check_files({"locked.yaml": "glossary: []\n"})
    assert [p.format() for p in checked.problems] == [
        "content/locked.yaml: error OB001: cannot read file: Permission denied"
    ]


def test_files_found_recursively_and_sorted(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {"b.yml": "x", "a/z.yaml": "x", "a/b.yaml": "x", "c.txt": "x", "A.yaml": "x"},
    )
    assert [rel for _, rel in find_model_files(tmp_path)] == [
        "A.yaml",
        "a/b.yaml",
        "a/z.yaml",
        "b.yml",
    ]


def test_faq_ids_derived_from_question(check_files: Callable[..., Checked]) -> None:
    checked = check_files(
        {
            "faq.yaml": """\
            faqs:
              - question: Who owns the roadmap?
                answer: Marketing.
              - question: Who owns the roadmap?!
                answer: Still marketing.
              - id: explicit
                question: Why?
                answer: Because.
            """
        }
    )
    assert checked.model is not None
    assert [f.id for f in checked.model.faqs] == [
        "who-owns-the-roadmap",
        "who-owns-the-roadmap-2",
        "explicit",
    ]


def test_all_problems_reported_at_once(check_files: Callable[..., Checked]) -> None:
    checked = check_files(
        {
            "bad.yaml": """\
            teams:
              - id: Bad Id
                name: X
                colour: red
            activities:
              - id: extra
                name: Extra
                stages: [nowhere]
                raci:
                  responsible: [nobody]
                  accountable: [sales, marketing]
            """,
            "worse.yaml": "stages:\n  - id: s\n    name: S\n    summary: [a]\n",
        }
    )
    assert sorted(p.code for p in checked.problems) == [
        "OB101",
        "OB103",
        "OB104",
        "OB201",
        "OB203",
        "OB207",
        "OB302",
    ]
