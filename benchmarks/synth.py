"""Synthetic ownership models of a given size: seeded, reproducible, realistically shaped.

Teams are grouped under a few parent departments, each team has a handful of roles, and
each activity has one accountable party, one to three responsible, and a few consulted and
informed parties drawn from nearby teams, the way real RACI charts cluster.
"""

from __future__ import annotations

import random
from pathlib import Path

HEADER = "# yaml-language-server: $schema=../generator/schema/ownbook.schema.json\n"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_model(
    out: Path, *, stages: int, teams: int, activities: int, faqs: int = 0, seed: int = 1
) -> Path:
    """Write a model of the given size into `out` (one file per kind, activities by stage)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    stage_ids = [f"stage-{i:02d}" for i in range(stages)]
    team_ids = [f"team-{i:03d}" for i in range(teams)]
    roles = {t: [f"role-{j}" for j in range(rng.randint(1, 4))] for t in team_ids}
    parents = {t: team_ids[(i // 10) * 10] for i, t in enumerate(team_ids) if i % 10}

    lines = [
        HEADER,
        "handbook:\n",
        "  title: Synthetic handbook\n",
        "  organization: Synthetic Co\n",
        "  description: A generated model.\n",
        f"  lifecycle: [{', '.join(stage_ids)}]\n",
        f"  max_accountable_per_team: {activities}\n",
    ]
    (out / "handbook.yaml").write_text("".join(lines))

    lines = [HEADER, "teams:\n"]
    for t in team_ids:
        lines += [
            f"  - id: {t}\n",
            f"    name: Team {t[5:]}\n",
            f"    summary: Team {t[5:]} does *useful* work.\n",
            "    lead: Head of the team\n",
        ]
        if t in parents:
            lines.append(f"    parent: {parents[t]}\n")
        lines += [
            "    contact:\n",
            f"      channel: '#{t}'\n",
            f"      email: {t}@example.com\n",
            f"    github: '@synthetic/{t}'\n",
            "    roles:\n",
        ]
        for r in roles[t]:
            lines += [
                f"      - id: {r}\n",
                f"        name: Role {r[5:]}\n",
                f"        summary: Does part {r[5:]} of the work.\n",
            ]
    (out / "teams.yaml").write_text("".join(lines))

    lines = [HEADER, "stages:\n"]
    for s in stage_ids:
        lines += [
            f"  - id: {s}\n",
            f"    name: Stage {s[6:]}\n",
            f"    summary: What happens in stage {s[6:]}, item by item.\n",
            "    customer_goal: Get something done.\n",
            "    goals: [Grow, Keep]\n",
            "    metrics: [Conversion rate]\n",
            "    pitfalls: [Rushing]\n",
            "    practices: [Listening]\n",
            "    tools: [CRM]\n",
        ]
    (out / "stages.yaml").write_text("".join(lines))

    def party(near: int) -> str:
        t = team_ids[max(0, min(teams - 1, near + rng.randint(-5, 5)))]
        return f"{t}/{rng.choice(roles[t])}" if rng.random() < 0.3 else t

    by_stage: dict[str, list[str]] = {s: [] for s in stage_ids}
    for i in range(activities):
        home = rng.randrange(teams)
        picked: list[str] = []
        while len(picked) < rng.randint(4, 8):
            p = party(home)
            if p not in picked:
                picked.append(p)
        acc, resp = picked[0], picked[: rng.randint(1, 2)]
        rest = picked[len(resp) :] if len(resp) > 1 else picked[1:]
        split = len(rest) // 2
        stage = stage_ids[i % stages]
        more = [stage_ids[(i + 1) % stages]] if i % 7 == 0 and stages > 1 else []
        by_stage[stage] += [
            f"  - id: activity-{i:05d}\n",
            f"    name: {_q(f'Activity {i}: decide on item {i}')}\n",
            f"    kind: {'decision' if i % 3 == 0 else 'activity'}\n",
            f"    stages: [{', '.join([stage, *more])}]\n",
            f"    summary: Owning item {i} well.\n",
            f"    description: {_q(f'Longer text about item {i}, with *emphasis*.')}\n",
            "    raci:\n",
            f"      responsible: [{', '.join(resp)}]\n",
            f"      accountable: {acc}\n",
            f"      consulted: [{', '.join(rest[:split])}]\n",
            f"      informed: [{', '.join(rest[split:])}]\n",
            f"    escalation: {team_ids[(home // 10) * 10]}\n",
            f"    reviewed: 2026-{rng.randint(6, 11):02d}-{rng.randint(1, 28):02d}\n",
            f"    tags: [tag-{i % 13}, tag-{i % 17}]\n",
            "    links:\n",
            f"      - title: Notes on {i}\n",
            f"        url: https://example.com/notes/{i}\n",
        ]
    (out / "activities").mkdir(exist_ok=True)
    for s, body in by_stage.items():
        text = HEADER.replace("../", "../../") + "activities:\n" + "".join(body)
        (out / "activities" / f"{s}.yaml").write_text(text)

    lines = [HEADER, "faqs:\n"]
    for i in range(faqs):
        lines += [
            f"  - question: Who owns item {i}?\n",
            f"    answer: See activity {i}.\n",
            f"    activities: [activity-{i % max(activities, 1):05d}]\n",
        ]
    lines += [
        "glossary:\n",
        "  - term: RACI\n",
        "    definition: Responsible, Accountable, Consulted, Informed.\n",
        "  - term: item\n",  # used in every activity's text, as real glossaries are
        "    definition: One activity or decision of the generated model.\n",
    ]
    (out / "faqs.yaml").write_text("".join(lines))
    return out
