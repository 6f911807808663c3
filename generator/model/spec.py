"""The content format as data: the one definition that both decodes YAML and writes the schema.

Each field of the format is a `Field` with a typed value kind. `Decoder` walks the node tree
of a file against these definitions (reporting every unknown key, missing field and bad value
at its line) and builds the frozen model objects; `json_schema()` turns the very same
definitions into the draft-07 JSON Schema that editors use, so the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from . import objects as m
from . import rules
from .problems import Pos, Problem
from .yamltree import NULLS, Mapping, Node, Scalar, Sequence

FORMAT_VERSION = 1
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)
ID_MAX = 63
# Plain-text fields (names, titles, tags, questions) are short; Markdown fields may be long.
PLAIN_MAX = 1_000
PARTY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)?$"
PARTY_RE = re.compile(PARTY_PATTERN)
GITHUB_PATTERN = r"^@[A-Za-z0-9](-?[A-Za-z0-9])*(/[A-Za-z0-9._-]+)?$"
GITHUB_RE = re.compile(GITHUB_PATTERN)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INT_RE = re.compile(r"^[0-9]+$")
_NO_SPACE = re.compile(r"^[^\s\x00-\x1f\x7f]+$")
BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO"}


def closest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The known name most like `word`, for "did you mean ...?" hints."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    match = closest(word, choices)
    return f"did you mean '{match}'?" if match else None


def slugify(text: str) -> str:
    """A slug for any text; compatibility forms and accents fold to ASCII first, so
    fullwidth letters and 'Café' give 'sales' and 'cafe'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:ID_MAX].rstrip("-") or "item"


def _foreign(value: str) -> str:
    """Name the first non-ASCII character of an id: look-alike letters and invisible marks
    are the ones a reviewer cannot see."""
    for char in value:
        if not char.isascii():
            name = unicodedata.name(char, "unnamed character")
            return f" (it holds U+{ord(char):04X} {name})"
    return ""


def _kind_of(node: Node) -> str:
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    return f"'{_short(node.value)}'"


def _short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Invalid:
    """Marks a value that could not be decoded (the problem is already reported)."""


INVALID = Invalid()


class Decoder:
    """Collects problems while turning nodes into values."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def report(self, code: str, pos: Pos, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(code, pos, message, hint))


# --- value kinds ------------------------------------------------------------------------


class Kind:
    """How one value of the format is written in YAML, read, and described in the schema."""

    empty: Any = None

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def scalar(self, node: Node, d: Decoder, key: str, what: str) -> str | Invalid:
        """The text of a scalar; anything else is reported as not being `what`. The kinds
        met most often test for a scalar themselves first (a call fewer per value, and
        `what` put together only for the problem)."""
        if isinstance(node, Scalar):
            return node.value
        hint = f"write '{key}' as a single value" if what != "text" else None
        d.report("OB103", node.pos, f"'{key}' must be {what}, not {_kind_of(node)}", hint)
        return INVALID


@dataclass(frozen=True)
class Text(Kind):
    markdown: bool = False
    empty: Any = ""

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        if node.__class__ is not Scalar:
            return self.scalar(node, d, key, "text")
        value = node.value
        if not value.strip():
            d.report("OB102", node.pos, f"'{key}' is empty")
            return INVALID
        if not self.markdown and len(value) > PLAIN_MAX:
            # A name lands in headings, tables, the nav and every page that links it: a
            # long one multiplies into megabytes and quadratic work in Markdown's inline
            # pass (a red-team review: 100,000 characters in one name, an 8-minute build).
            d.report(
                "OB014",
                node.pos,
                f"'{key}' is {len(value):,} characters, over the limit of {PLAIN_MAX:,} "
                "for a name or a short text",
                "keep it short; longer text belongs in a Markdown field such as 'summary'",
            )
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        if self.markdown:
            return {"type": "string", "minLength": 1}
        return {"type": "string", "minLength": 1, "maxLength": PLAIN_MAX}


@dataclass(frozen=True)
class Slug(Kind):
    """An id. A bad id is reported but kept, so references to it do not cascade."""

    empty: Any = ""

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        if node.__class__ is not Scalar:
            return self.scalar(node, d, key, "an id")
        value = node.value
        if len(value) > ID_MAX or not SLUG_RE.fullmatch(value):
            suggestion = slugify(value)
            d.report(
                "OB104",
                node.pos,
                f"invalid id '{_short(value)}'{_foreign(value)}: use lowercase letters, digits "
                f"and single hyphens, at most {ID_MAX} characters",
                f"try '{suggestion}'",
            )
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": SLUG_PATTERN, "maxLength": ID_MAX}


@dataclass(frozen=True)
class Ref(Kind):
    """A reference by id to a stage, team or activity; resolved by the validator."""

    target: str = "stage"
    empty: Any = ""

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        if node.__class__ is Scalar:
            return node.value
        return self.scalar(node, d, key, f"a {self.target} id")

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": SLUG_PATTERN, "maxLength": ID_MAX}


@dataclass(frozen=True)
class Party(Kind):
    empty: Any = ""

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        if node.__class__ is not Scalar:
            return self.scalar(node, d, key, "a party (a team id or team/role)")
        value = node.value
        if not PARTY_RE.fullmatch(value):
            d.report(
                "OB112",
                node.pos,
                f"invalid party '{_short(value)}'",
                "write a team id such as 'sales' or a role as 'team/role', e.g. "
                "'marketing/data-analyst'",
            )
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": PARTY_PATTERN}


@dataclass(frozen=True)
class Integer(Kind):
    minimum: int = 1

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        value = self.scalar(node, d, key, "a whole number")
        if isinstance(value, Invalid):
            return value
        if not (isinstance(node, Scalar) and node.plain and INT_RE.fullmatch(value)):
            d.report("OB105", node.pos, f"'{key}' must be a whole number, not '{_short(value)}'")
            return INVALID
        number = int(value)
        if number < self.minimum:
            d.report("OB105", node.pos, f"'{key}' must be at least {self.minimum}, not {number}")
            return INVALID
        return number

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum}


@dataclass(frozen=True)
class Boolean(Kind):
    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        value = self.scalar(node, d, key, "true or false")
        if isinstance(value, Invalid):
            return value
        if isinstance(node, Scalar) and node.plain and value in BOOLS:
            return BOOLS[value]
        hint = "write true or false"
        if value in YAML11_BOOLS:
            hint = f"write true or false ('{value}' is read as text)"
        d.report("OB106", node.pos, f"'{key}' must be true or false, not '{_short(value)}'", hint)
        return INVALID

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Date(Kind):
    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        value = self.scalar(node, d, key, "a date")
        if isinstance(value, Invalid):
            return value
        try:
            if not DATE_RE.fullmatch(value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            d.report(
                "OB107",
                node.pos,
                f"'{key}' must be a date written YYYY-MM-DD, not '{_short(value)}'",
            )
            return INVALID

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


@dataclass(frozen=True)
class Url(Kind):
    schemes: tuple[str, ...] = ("http", "https")

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        value = self.scalar(node, d, key, "a URL")
        if isinstance(value, Invalid):
            return value
        allowed = " or ".join(self.schemes)
        scheme, sep, rest = value.partition("://")
        host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        if not (sep and scheme.lower() in self.schemes and host and _NO_SPACE.fullmatch(value)):
            d.report(
                "OB108",
                node.pos,
                f"'{key}' must be an absolute {allowed} URL, not '{_short(value)}'",
            )
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "uri", "pattern": "^https?://[^\\s]+$"}


@dataclass(frozen=True)
class GitHubOwner(Kind):
    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        value = self.scalar(node, d, key, "a GitHub owner")
        if isinstance(value, str) and not GITHUB_RE.fullmatch(value):
            d.report(
                "OB113",
                node.pos,
                f"invalid GitHub owner '{_short(value)}'",
                "write '@org/team' or '@user'",
            )
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": GITHUB_PATTERN}


@dataclass(frozen=True)
class Choice(Kind):
    choices: tuple[str, ...] = ()

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        if node.__class__ is not Scalar:
            return self.scalar(node, d, key, "one of " + ", ".join(self.choices))
        value = node.value
        if value not in self.choices:
            known = " or ".join(f"'{c}'" for c in self.choices)
            d.report(
                "OB109",
                node.pos,
                f"'{key}' must be {known}, not '{_short(value)}'",
                did_you_mean(value, self.choices),
            )
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


@dataclass(frozen=True)
class ListOf(Kind):
    item: Kind = Text()
    min_items: int = 0
    empty: Any = ()
    empty_code: str = "OB114"

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        if not isinstance(node, Sequence):
            example = f"[{node.value}]" if isinstance(node, Scalar) else "a list"
            hint = f"write '{key}: {_short(example)}'" if isinstance(node, Scalar) else None
            d.report("OB103", node.pos, f"'{key}' must be a list, not {_kind_of(node)}", hint)
            return INVALID
        if len(node.items) < self.min_items:
            d.report(self.empty_code, node.pos, f"'{key}' must list at least {self.min_items} item")
            return INVALID
        values = []
        decode = self.item.decode
        for item in node.items:
            if item.__class__ is Scalar and item.plain and item.value in NULLS:
                d.report("OB102", item.pos, f"empty item in '{key}'")
                continue
            value = decode(item, d, key)
            if value is not INVALID:
                values.append(value)
        return tuple(values)

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.schema()}
        if self.min_items:
            out["minItems"] = self.min_items
        return out


@dataclass(frozen=True)
class Obj(Kind):
    spec: ObjectSpec | None = None

    @property
    def empty(self) -> Any:
        """A required object that is missing stands in as one with no values (reported)."""
        assert self.spec is not None and self.spec.build is not None
        required = {f.key: f.kind.empty for f in self.spec.fields if f.required}
        return self.spec.build(**required)

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        assert self.spec is not None
        return self.spec.decode(node, d, key)

    def schema(self) -> dict[str, Any]:
        assert self.spec is not None
        return {"$ref": f"#/definitions/{self.spec.name}"}


# --- objects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    key: str
    kind: Kind
    description: str
    required: bool = False
    default: Any = None
    missing_code: str = "OB102"

    @property
    def absent(self) -> Any:
        """The value of an optional field that is not given: its default, or an empty list."""
        if self.default is None and isinstance(self.kind, ListOf):
            return ()
        return self.default


@dataclass(frozen=True)
class ObjectSpec:
    name: str
    noun: str
    description: str
    fields: tuple[Field, ...]
    build: Callable[..., Any] | None = None

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    @cached_property
    def by_key(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    @cached_property
    def plan(self) -> tuple[tuple[str, tuple[str], Field, Any], ...]:
        """Each field as decoding walks it: its key, its key in `spans`, the field, and
        its value when absent (worked out once, not for each of thousands of objects)."""
        return tuple((f.key, (f.key,), f, f.absent) for f in self.fields)

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        if node.__class__ is not Mapping:
            d.report(
                "OB103",
                node.pos,
                f"'{key}' must be a mapping of {self.noun} fields, not {_kind_of(node)}",
            )
            return INVALID
        by_key = self.by_key
        given: dict[str, Node] = {}
        for name, mark, v in node.items:
            if name not in by_key:
                hint = did_you_mean(name, self.keys) or "known keys: " + ", ".join(self.keys)
                where = node.key_pos(mark)
                d.report("OB101", where, f"unknown key '{_short(name)}' in {self.noun}", hint)
                continue
            if v.__class__ is not Scalar or not v.plain or v.value not in NULLS:
                given[name] = v
        values: dict[str, Any] = {}
        spans: dict[m.SpanKey, Pos] = {}
        for name, span_key, f, absent in self.plan:
            value_node = given.get(name)
            if value_node is None:
                if f.required:
                    d.report(f.missing_code, node.pos, f"{self.noun} is missing required '{name}'")
                    values[name] = f.kind.empty
                else:
                    values[name] = absent
                continue
            spans[span_key] = value_node.pos
            if value_node.__class__ is Sequence:
                for i, item in enumerate(value_node.items):
                    spans[(name, i)] = item.pos
            value = f.kind.decode(value_node, d, name)
            if value is INVALID:
                value = f.kind.empty if f.required else absent
            values[name] = value
        if self.build is None:
            return values
        return self.build(**values, pos=node.pos, spans=spans)

    def schema(self) -> dict[str, Any]:
        properties = {}
        for f in self.fields:
            prop = dict(f.kind.schema())
            if "$ref" in prop:  # draft-07 ignores siblings of $ref: wrap it
                prop = {"allOf": [prop]}
            prop["description"] = f.description
            if f.default is not None and f.default != ():
                prop["default"] = f.default
            properties[f.key] = prop
        out: dict[str, Any] = {
            "type": "object",
            "description": self.description,
            "properties": properties,
            "additionalProperties": False,
        }
        required = [f.key for f in self.fields if f.required]
        if required:
            out["required"] = required
        return out


@dataclass(frozen=True)
class Accountable(Kind):
    """Exactly one party; a list is reported as 'more than one' or as a wrong shape."""

    empty: Any = None

    def decode(self, node: Node, d: Decoder, key: str) -> Any:
        if isinstance(node, Sequence) and len(node.items) > 1:
            d.report(
                "OB302",
                node.pos,
                f"{len(node.items)} accountable parties; exactly one is allowed",
                "keep one accountable party and make the others responsible or consulted",
            )
            return INVALID
        return Party().decode(node, d, key)

    def schema(self) -> dict[str, Any]:
        return Party().schema()


MD = Text(markdown=True)
TEXTS = ListOf(MD)

CONTACT = ObjectSpec(
    "contact",
    "contact",
    "How to reach a team.",
    (
        Field("channel", Text(), "Chat channel, e.g. '#team-sales'."),
        Field("email", Text(), "Shared mailbox of the team."),
        Field("url", Url(), "Web page of the team (http or https only)."),
    ),
    m.Contact,
)

ROLE = ObjectSpec(
    "role",
    "role",
    "A role inside a team; it can hold RACI letters as 'team/role'.",
    (
        Field("id", Slug(), "Role id, unique inside its team.", required=True),
        Field("name", Text(), "Role name shown in the handbook.", required=True),
        Field("summary", MD, "What the role does (Markdown)."),
    ),
    m.Role,
)

HANDBOOK = ObjectSpec(
    "handbook",
    "handbook",
    "Settings of the whole handbook; given exactly once in the model.",
    (
        Field("title", Text(), "Site title.", required=True),
        Field("organization", Text(), "Whose handbook this is.", required=True),
        Field("description", MD, "Introduction on the home page (Markdown)."),
        Field(
            "lifecycle",
            ListOf(Ref(target="stage"), min_items=1),
            "Stage ids in lifecycle order; each stage exactly once.",
            required=True,
        ),
        Field("loop", Boolean(), "Whether the last stage leads back to the first.", default=True),
        Field("repo_url", Url(), "Repository holding the content; enables edit links."),
        Field("edit_branch", Text(), "Branch used in edit links.", default="main"),
        Field(
            "review_every_days",
            Integer(),
            "Default review cadence of an activity, in days.",
            default=180,
        ),
        Field(
            "max_accountable_per_team",
            Integer(),
            "Above this many accountable activities a team is flagged as overloaded.",
        ),
    ),
    m.Handbook,
)

TEAM = ObjectSpec(
    "team",
    "team",
    "A team (or department) that can hold RACI letters.",
    (
        Field("id", Slug(), "Team id, unique among teams.", required=True),
        Field("name", Text(), "Team name shown in the handbook.", required=True),
        Field("summary", MD, "What the team is for (Markdown)."),
        Field("lead", Text(), "The lead's role title (not a person's private data)."),
        Field("parent", Ref(target="team"), "Id of the team this team belongs to; no cycles."),
        Field("contact", Obj(CONTACT), "How to reach the team."),
        Field("github", GitHubOwner(), "'@org/team' or '@user', used for CODEOWNERS."),
        Field("roles", ListOf(Obj(ROLE)), "Roles inside the team."),
    ),
    m.Team,
)

STAGE = ObjectSpec(
    "stage",
    "stage",
    "A stage of the customer lifecycle.",
    (
        Field("id", Slug(), "Stage id, unique among stages.", required=True),
        Field("name", Text(), "Stage name shown in the handbook.", required=True),
        Field("summary", MD, "What happens for the customer in this stage.", required=True),
        Field("customer_goal", Text(), "What the customer is trying to do here."),
        Field("goals", TEXTS, "What the business aims for in this stage (Markdown items)."),
        Field("metrics", TEXTS, "KPIs that show how the stage is doing (Markdown items)."),
        Field("pitfalls", TEXTS, "Common mistakes (Markdown items)."),
        Field("practices", TEXTS, "Best practices (Markdown items)."),
        Field("tools", TEXTS, "Systems used in this stage (Markdown items)."),
    ),
    m.Stage,
)

# How few parties may hold R and A: `rules.PARTIES_PER_LETTER`, which the importer asks too.
_LEAST_R = rules.PARTIES_PER_LETTER[m.Letter.RESPONSIBLE][0]
_LEAST_A = rules.PARTIES_PER_LETTER[m.Letter.ACCOUNTABLE][0]

RACI = ObjectSpec(
    "raci",
    "raci",
    "Who is Responsible, Accountable, Consulted and Informed. A party is a team id or 'team/role'.",
    (
        Field(
            "responsible",
            ListOf(Party(), min_items=_LEAST_R, empty_code="OB303"),
            "Parties who do the work; at least one.",
            required=_LEAST_R > 0,
            missing_code="OB303",
        ),
        Field(
            "accountable",
            Accountable(),
            "The one party who answers for it.",
            required=_LEAST_A > 0,
            missing_code="OB301",
        ),
        Field("consulted", ListOf(Party()), "Parties asked before (two-way)."),
        Field("informed", ListOf(Party()), "Parties told after (one-way)."),
    ),
    m.Raci,
)

LINK = ObjectSpec(
    "link",
    "link",
    "A link to further reading.",
    (
        Field("title", Text(), "Link text.", required=True),
        Field("url", Url(), "Target (http or https only).", required=True),
    ),
    m.Link,
)

ACTIVITY = ObjectSpec(
    "activity",
    "activity",
    "A piece of work or a decision that someone owns.",
    (
        Field("id", Slug(), "Activity id, unique among activities.", required=True),
        Field("name", Text(), "e.g. 'Approve messaging changes'.", required=True),
        Field(
            "kind",
            Choice(choices=("activity", "decision")),
            "Whether this is ongoing work or a decision.",
            default="activity",
        ),
        Field(
            "stages",
            ListOf(Ref(target="stage"), min_items=1),
            "Stage ids this activity belongs to; one or more.",
            required=True,
        ),
        Field("summary", MD, "One or two sentences (Markdown)."),
        Field("description", MD, "Longer text (Markdown)."),
        Field("raci", Obj(RACI), "The RACI assignment.", required=True),
        Field("escalation", Party(), "The party who settles a disagreement."),
        Field("reviewed", Date(), "When the assignment was last confirmed (YYYY-MM-DD)."),
        Field("review_every_days", Integer(), "Review cadence in days; overrides the handbook's."),
        Field("tags", ListOf(Text()), "Free-form tags."),
        Field("links", ListOf(Obj(LINK)), "Links to further reading."),
    ),
    m.Activity,
)

FAQ = ObjectSpec(
    "faq",
    "FAQ",
    "A frequently asked question and its answer.",
    (
        Field("id", Slug(), "FAQ id; derived from the question when absent."),
        Field("question", Text(), "The question.", required=True),
        Field("answer", MD, "The answer (Markdown).", required=True),
        Field("stages", ListOf(Ref(target="stage")), "Stage pages that also show it."),
        Field("teams", ListOf(Ref(target="team")), "Team pages that also show it."),
        Field(
            "activities",
            ListOf(Ref(target="activity")),
            "Activity pages that also show it.",
        ),
    ),
    m.Faq,
)

TERM = ObjectSpec(
    "term",
    "glossary term",
    "A term of the glossary.",
    (
        Field("term", Text(), "The term.", required=True),
        Field("definition", MD, "What it means (Markdown).", required=True),
        Field("aliases", ListOf(Text()), "Other names for the same term."),
    ),
    m.Term,
)

FILE = ObjectSpec(
    "file",
    "model file",
    "One file of an ownbook model (content format version 1). Lists under the same key "
    "merge across files.",
    (
        Field("handbook", Obj(HANDBOOK), "Settings of the handbook; exactly once in the model."),
        Field("teams", ListOf(Obj(TEAM)), "Teams and their roles."),
        Field("stages", ListOf(Obj(STAGE)), "Lifecycle stages."),
        Field("activities", ListOf(Obj(ACTIVITY)), "Activities and decisions with their RACI."),
        Field("faqs", ListOf(Obj(FAQ)), "Frequently asked questions."),
        Field("glossary", ListOf(Obj(TERM)), "Glossary terms."),
    ),
)

OBJECTS = (HANDBOOK, CONTACT, ROLE, TEAM, STAGE, RACI, LINK, ACTIVITY, FAQ, TERM)


def decode_file(root: Node, d: Decoder) -> dict[str, Any] | None:
    """Decode one file's root node into {top-level key: value}."""
    if not isinstance(root, Mapping):
        d.report(
            "OB103",
            root.pos,
            f"a model file must be a mapping with keys {', '.join(FILE.keys)}, "
            f"not {_kind_of(root)}",
        )
        return None
    return FILE.decode(root, d, "file")  # type: ignore[no-any-return]


def json_schema() -> dict[str, Any]:
    """The draft-07 JSON Schema of one model file, generated from the definitions above."""
    schema = FILE.schema()
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": f"https://ownbook.dev/schema/ownbook-{FORMAT_VERSION}.schema.json",
        "title": f"ownbook model file (content format version {FORMAT_VERSION})",
        **schema,
        "definitions": {spec.name: spec.schema() for spec in OBJECTS},
    }
