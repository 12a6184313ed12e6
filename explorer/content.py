"""Content models and loading: every domain word and number comes from content/*.yaml.

One loader per document, safe YAML only, frozen pydantic models, and cross-reference
checks. Every problem is reported with its file, key path, what was expected and what
was found, and all problems are collected before raising.
"""

from __future__ import annotations

import os
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, cast

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

from explorer.content_checks import APPROACHES as APPROACHES
from explorer.content_checks import MAIN_INPUTS as MAIN_INPUTS
from explorer.content_checks import VERDICTS as VERDICTS
from explorer.content_checks import Checker, QuoteCheck
from explorer.errors import ContentError, ContentProblem
from explorer.sources import sources_folder

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT_DIR = REPO_ROOT / "content"
MAX_FILE_BYTES = 1_000_000

Id = Annotated[
    str, StringConstraints(strict=True, pattern=r"^[a-z0-9][a-zA-Z0-9-]*$", max_length=40)
]
Text = Annotated[
    str, StringConstraints(strict=True, min_length=1, max_length=600, strip_whitespace=True)
]
Score = Annotated[float, Field(strict=True, ge=0, le=100)]
ClaimIds = Annotated[tuple[Id, ...], Field(min_length=1)]
Basis = Literal["quote", "contrast", "editorial"]
BASES = ("quote", "contrast", "editorial")
MIDPOINT = "midpoint"


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Model):
    """A source article. `locations` says how its claims are located: `paragraphs` (¶N, the
    N-th non-empty line after `title_lines` title lines) or `sections` (§N, the text under
    the heading line "N. ...")."""

    id: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9-]+$")]
    title: Text
    file: Text
    locations: Literal["paragraphs", "sections"]
    title_lines: Annotated[int, Field(strict=True, ge=0, le=5)] = 0


class Claim(Model):
    id: Id
    source: StrictStr
    location: Text
    quote: Text
    paraphrase: Text
    describes: Literal["mentoring", "coaching", "both", "neither"]
    topics: tuple[Id, ...]


class Grounded(Model):
    """A number's grounding: its basis, the claims behind it and, where the sources do not
    say it directly, the reason for our reading."""

    basis: Basis
    claims: tuple[Id, ...] = ()
    reason: Text | None = None


class ApproachValue(Grounded):
    value: Score


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


class Target(Grounded):
    """A need an option sets on one dimension. `need` may be `midpoint` in a file: exactly
    midway between mentoring's and coaching's values; the loader turns it into the number."""

    need: Score | Literal["midpoint"]
    weight: Annotated[float, Field(strict=True, gt=0, le=10)]

    @property
    def need_value(self) -> float:
        if isinstance(self.need, str):
            raise TypeError("an unresolved midpoint target; load content with load_content")
        return self.need


class Option(Model):
    """One position of an input. With no targets it leaves the verdict alone, and `reason`
    says why."""

    id: Id
    label: Text
    targets: dict[Id, Target]
    reason: Text | None = None


class Input(Model):
    id: Id
    label: Text
    phrase: Text  # the input inside a sentence: "you chose “Early career” for career stage"
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
    blend_even_below: Annotated[float, Field(strict=True, gt=0, lt=1)]
    approaches: dict[str, VerdictText]


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
    questions: dict[str, tuple[Question, ...]]


class Persona(Model):
    id: Id
    name: Text
    story: Text
    inputs: dict[Id, Id]
    verdict: Literal["mentoring", "coaching", "blend"]


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
    quotes: QuoteCheck
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

    def compose_node(self, parent: Any, index: Any) -> Any:
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


def _resolve_midpoints(inputs: tuple[Input, ...], dims: tuple[Dimension, ...]) -> tuple:
    """Turn every `need: midpoint` into the number midway between the two approaches."""
    by_id = {d.id: d for d in dims}

    def resolve(dim: str, target: Target) -> Target:
        if target.need != MIDPOINT:
            return target
        d = by_id[dim]
        return target.model_copy(update={"need": (d.mentoring.value + d.coaching.value) / 2})

    return tuple(
        spec.model_copy(
            update={
                "options": tuple(
                    o.model_copy(
                        update={"targets": {k: resolve(k, t) for k, t in o.targets.items()}}
                    )
                    for o in spec.options
                )
            }
        )
        for spec in inputs
    )


def load_content(
    directory: str | Path | None = None, sources_dir: str | Path | None = None
) -> Content:
    """Load and cross-check every content document; raise ContentError listing all problems.

    The folder defaults to $EXPLORER_CONTENT_DIR, else the shipped content/. Quotes are
    checked against the articles in `sources_dir` (else $EXPLORER_SOURCES_DIR); without
    one, `Content.quotes` says they were not checked.
    """
    directory = Path(directory or os.environ.get("EXPLORER_CONTENT_DIR") or DEFAULT_CONTENT_DIR)
    problems: list[ContentProblem] = []
    docs: dict[str, Model] = {}
    for name in DOCUMENTS:
        data = _read_yaml(directory / name, problems)
        if data is not None and (doc := _parse(name, data, problems)) is not None:
            docs[name] = doc
    quotes = QuoteCheck(False, "", "the content could not be read")
    if len(docs) == len(DOCUMENTS):
        quotes = Checker(docs, problems).run(sources_folder(sources_dir))
    if problems:
        raise ContentError(problems)
    dims = cast(DimensionsDoc, docs["dimensions.yaml"])
    return Content(
        directory=str(directory),
        quotes=quotes,
        sources=cast(SourcesDoc, docs["sources.yaml"]).sources,
        claims=cast(ClaimsDoc, docs["claims.yaml"]).claims,
        dimensions=dims.dimensions,
        contested=dims.contested,
        inputs=_resolve_midpoints(cast(InputsDoc, docs["inputs.yaml"]).inputs, dims.dimensions),
        verdict=docs["verdict.yaml"],
        questions=cast(QuestionsDoc, docs["questions.yaml"]).questions,
        personas=docs["personas.yaml"],
        ui=docs["ui.yaml"].model_dump(),
    )


@lru_cache(maxsize=1)
def default_content() -> Content:
    """The shipped content, loaded once per process."""
    return load_content()
