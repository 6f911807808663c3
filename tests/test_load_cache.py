"""The file cache of `serve`: an edit re-reads one file, and the result equals a fresh load."""

from __future__ import annotations

from pathlib import Path

from ownbook.model.load import FileCache, load_model

from tests.conftest import ROOT, TODAY, write_files


def test_cached_load_equals_a_fresh_load_after_an_edit(tmp_path: Path) -> None:
    import shutil

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    files = sorted(content.rglob("*.yaml"))
    cache = FileCache()
    first = load_model(content, today=TODAY, cache=cache)
    assert first.model is not None and cache.hits == 0

    again = load_model(content, today=TODAY, cache=cache)
    assert cache.hits == len(files)
    assert again.model == first.model and again.problems == first.problems

    # One RACI edit (a party added to a list, which also shifts the lines below it).
    target = content / "activities" / "purchase.yaml"
    text = target.read_text()
    assert "      informed: [" in text
    target.write_text(text.replace("      informed: [", "      informed: [legal, ", 1))
    hits = cache.hits
    edited = load_model(content, today=TODAY, cache=cache)
    fresh = load_model(content, today=TODAY)
    assert cache.hits - hits == len(files) - 1  # only the edited file was read again
    assert edited.model == fresh.model
    assert edited.problems == fresh.problems
    assert edited.model != first.model
    positions = [a.pos for a in edited.model.activities]  # type: ignore[union-attr]
    assert positions == [a.pos for a in fresh.model.activities]  # type: ignore[union-attr]


def test_a_broken_file_is_reported_from_the_cache_too(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"a.yaml": "teams: [\n"})
    cache = FileCache()
    first = load_model(content, today=TODAY, cache=cache)
    second = load_model(content, today=TODAY, cache=cache)
    assert cache.hits == 1
    assert first.problems == second.problems and first.problems[0].code == "OB004"


def test_unchanged_activities_are_checked_again_when_the_ids_they_name_change(
    tmp_path: Path,
) -> None:
    """Validation reuses an unchanged activity's problems only while the team, role and
    stage ids it may name stay the same: a role renamed in teams.yaml breaks activities in
    files that were not touched."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = FileCache()
    assert load_model(content, today=TODAY, cache=cache).model is not None
    teams = content / "teams.yaml"
    teams.write_text(teams.read_text().replace("- id: content-specialist", "- id: writer", 1))
    edited = load_model(content, today=TODAY, cache=cache)
    fresh = load_model(content, today=TODAY)
    assert edited.problems == fresh.problems
    broken = [p for p in edited.problems if p.code == "OB202"]
    assert broken and all("content-specialist" in p.message for p in broken)
    assert any(p.pos.file.endswith("activities/advocacy.yaml") for p in broken)
    # and back: the problems go away without a fresh process
    teams.write_text(teams.read_text().replace("- id: writer", "- id: content-specialist", 1))
    assert load_model(content, today=TODAY, cache=cache).errors == ()
