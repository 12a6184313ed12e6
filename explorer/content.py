"""Content models and loading: every domain word and number comes from content/*.yaml.

One loader per document, safe YAML only, frozen pydantic models, and cross-reference
checks. Every problem is reported with its file, key path, what was expected and what
was found, and all problems are collected before raising.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    StringConstraints,
    ValidationError,
)

from explorer.errors import ContentError, ContentProblem

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT_DIR = REPO_ROOT / "content"
MAX_FILE_BYTES = 1_000_000
MAX_QUOTE_WORDS = 25
MAIN_INPUTS = ("goal", "timeframe", "stage", "structure")
APPROACHES = ("mentoring", "coaching")
VERDICTS = ("mentoring", "coaching", "blend")

Id = Annotated[
    str, StringConstraints(strict=True, pattern=r"^[a-z0-9][a-zA-Z0-9-]*$", max_length=40)
]
Text = Annotated[
    str, StringConstraints(strict=True, min_length=1, max_length=600, strip_whitespace=True)
]
Score = Annotated[float, Field(strict=True, ge=0, le=100)]
ClaimIds = Annotated[tuple[Id, ...], Field(min_length=1)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Model):
    id: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9-]+$")]
    title: Text
    file: Text


class Claim(Model):
    id: Id
    source: StrictStr
    location: Text
    quote: Text
    paraphrase: Text


class ApproachValue(Model):
    value: Score
    claims: ClaimIds


class Dimension(Model):
    id: Id
    label: Text
    meaning: Text
    mentoring: ApproachValue
    coaching: ApproachValue

    @property
    def leans(self) -> str:
        return "mentoring" if self.mentoring.value > self.coaching.value else "coaching"


class ContestedSide(Model):
    approach: Literal["mentoring", "coaching"]
    claims: ClaimIds


class Contested(Model):
    id: Id
    label: Text
    summary: Text
    sides: Annotated[tuple[ContestedSide, ...], Field(min_length=2)]


class Target(Model):
    need: Score
    weight: Annotated[float, Field(strict=True, gt=0, le=10)]
    claims: ClaimIds


class Option(Model):
    id: Id
    label: Text
    targets: Annotated[dict[Id, Target], Field(min_length=1)]


class Input(Model):
    id: Id
    label: Text
    help: Text
    main: StrictBool
    default: Id
    options: Annotated[tuple[Option, ...], Field(min_length=2)]

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)

    def index(self, option_id: str) -> int:
        return self.option_ids.index(option_id)


class StrengthBand(Model):
    min: Annotated[float, Field(strict=True, ge=0, lt=1)]
    label: Text


class VerdictText(Model):
    label: Text
    headline: Text
    blurb: Text
    claims: ClaimIds


class VerdictConfig(Model):
    tie_zone: Annotated[float, Field(strict=True, gt=0, lt=1)]
    strength_bands: Annotated[tuple[StrengthBand, ...], Field(min_length=1)]
    approaches: dict[Literal["mentoring", "coaching", "blend"], VerdictText]


class SourcesDoc(Model):
    sources: Annotated[tuple[Source, ...], Field(min_length=1)]


class ClaimsDoc(Model):
    claims: Annotated[tuple[Claim, ...], Field(min_length=1)]


class DimensionsDoc(Model):
    dimensions: Annotated[tuple[Dimension, ...], Field(min_length=3)]
    contested: tuple[Contested, ...] = ()


class InputsDoc(Model):
    inputs: Annotated[tuple[Input, ...], Field(min_length=1)]


class Question(Model):
    text: Text
    claims: ClaimIds


class QuestionsDoc(Model):
    questions: dict[Literal["mentoring", "coaching", "blend"], tuple[Question, ...]]


class Persona(Model):
    id: Id
    name: Text
    story: Text
    inputs: dict[Id, Id]


class PersonasDoc(Model):
    label: Text
    claims: ClaimIds
    personas: Annotated[tuple[Persona, ...], Field(min_length=1)]


class UiDoc(Model):
    """Interface wording: page titles, notices, notes. Values are text templates."""

    model_config = ConfigDict(frozen=True, extra="allow")


DOCUMENTS: dict[str, type[Model]] = {
    "sources.yaml": SourcesDoc,
    "claims.yaml": ClaimsDoc,
    "dimensions.yaml": DimensionsDoc,
    "inputs.yaml": InputsDoc,
    "verdict.yaml": VerdictConfig,
    "questions.yaml": QuestionsDoc,
    "personas.yaml": PersonasDoc,
    "ui.yaml": UiDoc,
}


class Content(Model):
    """All content, cross-checked. Built only by `load_content`."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)

    directory: str
    sources: tuple[Source, ...]
    claims: tuple[Claim, ...]
    dimensions: tuple[Dimension, ...]
    contested: tuple[Contested, ...]
    inputs: tuple[Input, ...]
    verdict: VerdictConfig
    questions: dict[str, tuple[Question, ...]]
    personas: PersonasDoc
    ui: dict[str, Any]

    @cached_property
    def claim_by_id(self) -> dict[str, Claim]:
        return {c.id: c for c in self.claims}

    @cached_property
    def dimension_by_id(self) -> dict[str, Dimension]:
        return {d.id: d for d in self.dimensions}

    @cached_property
    def input_by_id(self) -> dict[str, Input]:
        return {i.id: i for i in self.inputs}

    @property
    def main_inputs(self) -> tuple[Input, ...]:
        return tuple(i for i in self.inputs if i.main)

    @property
    def advanced_inputs(self) -> tuple[Input, ...]:
        return tuple(i for i in self.inputs if not i.main)

    @property
    def defaults(self) -> dict[str, str]:
        return {i.id: i.default for i in self.inputs}

    def text(self, key: str, **values: object) -> str:
        """A piece of interface wording from ui.yaml, with {placeholders} filled."""
        template = self.ui
        for part in key.split("."):
            template = template[part]
        return str(template).format(**values) if values else str(template)


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML that refuses anchors and aliases, so an alias bomb cannot expand."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not allowed in content", event.start_mark
            )
        return super().compose_node(parent, index)


def _read_yaml(path: Path, problems: list[ContentProblem]) -> Any:
    name = path.name
    if not path.is_file():
        problems.append(ContentProblem(name, "(file)", "the file to exist", "no such file"))
        return None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.append(
            ContentProblem(name, "(file)", f"at most {MAX_FILE_BYTES:,} bytes", f"{size:,}")
        )
        return None
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        problems.append(
            ContentProblem(name, "(file)", "UTF-8 text", f"invalid byte at offset {err.start}")
        )
        return None
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        reason = getattr(err, "problem", None) or str(err).splitlines()[0]
        problems.append(ContentProblem(name, where, "valid YAML", reason))
        return None
    if not isinstance(data, dict):
        found = "an empty file" if data is None else type(data).__name__
        problems.append(ContentProblem(name, "(top level)", "a mapping of keys", found))
        return None
    return data


def _key_path(loc: tuple[Any, ...], data: Any) -> str:
    """Turn a pydantic location into `inputs[goal].options[mixed].targets.scope`."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            item = node[step]
            ident = item.get("id") if isinstance(item, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{ident if ident else step}]"]
            node = item
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_EXPECTED = {
    "missing": "a value for this required key",
    "extra_forbidden": "only known keys (is this one misspelt?)",
}


def _parse(name: str, data: Any, problems: list[ContentProblem]) -> Model | None:
    try:
        return DOCUMENTS[name].model_validate(data)
    except ValidationError as err:
        for e in err.errors():
            found = "nothing" if e["type"] == "missing" else _short(e.get("input"))
            expected = _EXPECTED.get(e["type"], e["msg"][:1].lower() + e["msg"][1:])
            problems.append(ContentProblem(name, _key_path(e["loc"], data), expected, found))
        return None


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().lower()


def default_sources_dir() -> Path:
    return Path(os.environ.get("EXPLORER_SOURCES_DIR", REPO_ROOT.parent / "shared" / "sources"))


class _Checker:
    """Cross-reference checks over parsed documents; appends to `problems`."""

    def __init__(self, docs: dict[str, Model], problems: list[ContentProblem]):
        self.docs = docs
        self.problems = problems
        self.claim_ids = {c.id for c in docs["claims.yaml"].claims}
        self.dimension_ids = {d.id for d in docs["dimensions.yaml"].dimensions}

    def add(self, file: str, key: str, expected: str, found: str = "") -> None:
        self.problems.append(ContentProblem(file, key, expected, found))

    def unique(self, file: str, key: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                self.add(file, f"{key}[{i}]", "a unique id", "a duplicate")
            seen.add(i)

    def cites(self, file: str, key: str, claims: tuple[str, ...]) -> None:
        for claim in claims:
            if claim not in self.claim_ids:
                self.add(file, f"{key}.claims", "a claim id from claims.yaml", repr(claim))

    def sources(self, sources_dir: Path | None) -> None:
        sources = self.docs["sources.yaml"].sources
        self.unique("sources.yaml", "sources", [s.id for s in sources])
        texts = {}
        for s in sources:
            path = sources_dir / s.file if sources_dir else None
            if path and path.is_file():
                texts[s.id] = _normalise(path.read_text(encoding="utf-8", errors="replace"))
        claims = self.docs["claims.yaml"].claims
        self.unique("claims.yaml", "claims", [c.id for c in claims])
        known = {s.id for s in sources}
        for c in claims:
            key = f"claims[{c.id}]"
            if c.source not in known:
                self.add("claims.yaml", f"{key}.source", f"one of {sorted(known)}", repr(c.source))
            words = len(c.quote.split())
            if words > MAX_QUOTE_WORDS:
                self.add("claims.yaml", f"{key}.quote", f"at most {MAX_QUOTE_WORDS} words", words)
            elif c.source in texts and _normalise(c.quote) not in texts[c.source]:
                self.add("claims.yaml", f"{key}.quote", f"words found in {c.source}", "no match")

    def dimensions(self) -> None:
        doc = self.docs["dimensions.yaml"]
        self.unique("dimensions.yaml", "dimensions", [d.id for d in doc.dimensions])
        for d in doc.dimensions:
            key = f"dimensions[{d.id}]"
            if d.mentoring.value == d.coaching.value:
                self.add("dimensions.yaml", key, "mentoring and coaching values that differ")
            for approach in APPROACHES:
                self.cites("dimensions.yaml", f"{key}.{approach}", getattr(d, approach).claims)
        for c in doc.contested:
            if {s.approach for s in c.sides} != set(APPROACHES):
                self.add(
                    "dimensions.yaml", f"contested[{c.id}].sides", "a mentoring and a coaching side"
                )
            for n, side in enumerate(c.sides):
                self.cites("dimensions.yaml", f"contested[{c.id}].sides[{n}]", side.claims)

    def inputs(self) -> None:
        inputs = self.docs["inputs.yaml"].inputs
        self.unique("inputs.yaml", "inputs", [i.id for i in inputs])
        for required in MAIN_INPUTS:
            if required not in {i.id for i in inputs if i.main}:
                self.add("inputs.yaml", f"inputs[{required}]", "a main input with this id", "none")
        for i in inputs:
            key = f"inputs[{i.id}]"
            self.unique("inputs.yaml", f"{key}.options", list(i.option_ids))
            if i.default not in i.option_ids:
                self.add("inputs.yaml", f"{key}.default", f"one of {list(i.option_ids)}", i.default)
            for o in i.options:
                for dim, target in o.targets.items():
                    tkey = f"{key}.options[{o.id}].targets.{dim}"
                    if dim not in self.dimension_ids:
                        self.add("inputs.yaml", tkey, "a dimension id from dimensions.yaml", dim)
                    self.cites("inputs.yaml", tkey, target.claims)

    def personas(self) -> None:
        doc = self.docs["personas.yaml"]
        self.cites("personas.yaml", "(top level)", doc.claims)
        self.unique("personas.yaml", "personas", [p.id for p in doc.personas])
        inputs = {i.id: i for i in self.docs["inputs.yaml"].inputs}
        for persona in doc.personas:
            for key, option in persona.inputs.items():
                where = f"personas[{persona.id}].inputs.{key}"
                if key not in inputs:
                    self.add("personas.yaml", where, f"one of {sorted(inputs)}", key)
                elif option not in inputs[key].option_ids:
                    self.add(
                        "personas.yaml", where, f"one of {list(inputs[key].option_ids)}", option
                    )

    def verdict(self) -> None:
        doc = self.docs["verdict.yaml"]
        for name in VERDICTS:
            if name not in doc.approaches:
                self.add("verdict.yaml", f"approaches.{name}", "a verdict text", "nothing")
            else:
                self.cites("verdict.yaml", f"approaches.{name}", doc.approaches[name].claims)
        questions = self.docs["questions.yaml"].questions
        for name in VERDICTS:
            if not questions.get(name):
                self.add("questions.yaml", f"questions.{name}", "at least one question", "none")
            for n, question in enumerate(questions.get(name, ())):
                self.cites("questions.yaml", f"questions.{name}[{n}]", question.claims)
        mins = [b.min for b in doc.strength_bands]
        if mins[0] != 0 or mins != sorted(set(mins)):
            self.add("verdict.yaml", "strength_bands", "ascending minimums starting at 0", mins)


def load_content(directory: str | Path | None = None, sources_dir: Path | None = None) -> Content:
    """Load and cross-check every content document; raise ContentError listing all problems.

    The folder defaults to $EXPLORER_CONTENT_DIR, else the shipped content/.
    """
    directory = Path(directory or os.environ.get("EXPLORER_CONTENT_DIR") or DEFAULT_CONTENT_DIR)
    problems: list[ContentProblem] = []
    docs: dict[str, Model] = {}
    for name in DOCUMENTS:
        data = _read_yaml(directory / name, problems)
        if data is not None and (doc := _parse(name, data, problems)) is not None:
            docs[name] = doc
    if len(docs) == len(DOCUMENTS):
        checker = _Checker(docs, problems)
        checker.sources(sources_dir or default_sources_dir())
        checker.dimensions()
        checker.inputs()
        checker.personas()
        checker.verdict()
    if problems:
        raise ContentError(problems)
    dims = docs["dimensions.yaml"]
    return Content(
        directory=str(directory),
        sources=docs["sources.yaml"].sources,
        claims=docs["claims.yaml"].claims,
        dimensions=dims.dimensions,
        contested=dims.contested,
        inputs=docs["inputs.yaml"].inputs,
        verdict=docs["verdict.yaml"],
        questions=docs["questions.yaml"].questions,
        personas=docs["personas.yaml"],
        ui=docs["ui.yaml"].model_dump(),
    )


@lru_cache(maxsize=1)
def default_content() -> Content:
    """The shipped content, loaded once per process."""
    return load_content()
