"""Cross-checks over parsed content documents: ids, citations, the basis of every number,
and every quote against the source articles (verbatim, and at the location it gives).

Every problem names its file and key and says what was expected; all are collected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.errors import ContentProblem
from explorer.sources import MARKS, SourceText, normalise, parse_location, split_text

MAX_QUOTE_WORDS = 25
MAIN_INPUTS = ("goal", "timeframe", "stage", "structure")
APPROACHES = ("mentoring", "coaching")
VERDICTS = ("mentoring", "coaching", "blend")
OTHER = {"mentoring": "coaching", "coaching": "mentoring"}


@dataclass(frozen=True)
class QuoteCheck:
    """Whether the quotes were checked against the articles, and if not, why not."""

    checked: bool
    folder: str
    detail: str


class Checker:
    """Cross-reference checks over parsed documents; appends to `problems`."""

    def __init__(self, docs: dict[str, Any], problems: list[ContentProblem]):
        self.docs = docs
        self.problems = problems
        self.claims = {c.id: c for c in docs["claims.yaml"].claims}
        dims = docs["dimensions.yaml"]
        self.dimension_ids = {d.id for d in dims.dimensions}
        self.topic_ids = self.dimension_ids | {c.id for c in dims.contested}

    def add(self, file: str, key: str, expected: str, found: object = "") -> None:
        self.problems.append(ContentProblem(file, key, expected, str(found)))

    def unique(self, file: str, key: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                self.add(file, f"{key}[{i}]", "a unique id", "a duplicate")
            seen.add(i)

    def cites(self, file: str, key: str, claims: tuple[str, ...]) -> None:
        for claim in claims:
            if claim not in self.claims:
                self.add(file, f"{key}.claims", "a claim id from claims.yaml", repr(claim))

    def grounded(
        self, file: str, key: str, number: Any, dimension: str, approach: str | None = None
    ) -> None:
        """The basis rules. `approach` is set for a dimension value (mentoring/coaching)."""
        self.cites(file, key, number.claims)
        known = [self.claims[c] for c in number.claims if c in self.claims]
        if number.basis in ("quote", "contrast") and not number.claims:
            self.add(file, f"{key}.claims", f"at least one claim for basis {number.basis}", "none")
        if number.basis == "editorial" and not number.reason:
            self.add(file, f"{key}.reason", "a one-line reason for an editorial number", "none")
        if number.basis == "quote":
            for claim in known:
                if dimension not in claim.topics:
                    self.add(
                        file,
                        f"{key}.claims",
                        f"claims whose topics include {dimension!r} for basis quote",
                        f"{claim.id} (topics {list(claim.topics)})",
                    )
                if approach and claim.describes not in (approach, "both"):
                    self.add(
                        file,
                        f"{key}.claims",
                        f"claims describing {approach} for basis quote",
                        f"{claim.id} describes {claim.describes}",
                    )
        if number.basis == "contrast" and approach:
            for claim in known:
                if claim.describes not in (OTHER[approach], "both"):
                    self.add(
                        file,
                        f"{key}.claims",
                        f"claims describing {OTHER[approach]} for basis contrast",
                        f"{claim.id} describes {claim.describes}",
                    )

    def claims_doc(self) -> None:
        claims = self.docs["claims.yaml"].claims
        self.unique("claims.yaml", "claims", [c.id for c in claims])
        sources = {s.id: s for s in self.docs["sources.yaml"].sources}
        self.unique("sources.yaml", "sources", [s.id for s in sources.values()])
        for c in claims:
            key = f"claims[{c.id}]"
            if c.source not in sources:
                self.add(
                    "claims.yaml", f"{key}.source", f"one of {sorted(sources)}", repr(c.source)
                )
            words = len(c.quote.split())
            if words > MAX_QUOTE_WORDS:
                self.add("claims.yaml", f"{key}.quote", f"at most {MAX_QUOTE_WORDS} words", words)
            for topic in c.topics:
                if topic not in self.topic_ids:
                    self.add("claims.yaml", f"{key}.topics", "dimension or contested ids", topic)
            where = parse_location(c.location)
            source = sources.get(c.source)
            if where is None or source is None:
                if where is None:
                    self.add(
                        "claims.yaml", f"{key}.location", "'SOURCE ¶N' or 'SOURCE §N'", c.location
                    )
                continue
            if where.source != c.source or where.mark != MARKS[source.locations]:
                expected = f"'{c.source} {MARKS[source.locations]}N'"
                self.add("claims.yaml", f"{key}.location", expected, c.location)

    def quotes(self, folder: Path | None) -> QuoteCheck:
        """Each quote verbatim in its article and inside the ¶/§ its location names."""
        if folder is None:
            return QuoteCheck(False, "", "no sources folder was given (--sources DIR)")
        sources = self.docs["sources.yaml"].sources
        texts: dict[str, SourceText] = {}
        missing = []
        for s in sources:
            path = folder / s.file
            try:
                raw = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                missing.append(f"{s.file} ({err.__class__.__name__})")
                continue
            texts[s.id] = split_text(raw, s.locations, s.title_lines)
        if missing:
            return QuoteCheck(False, str(folder), "could not read " + ", ".join(missing))
        for c in self.docs["claims.yaml"].claims:
            text, where = texts.get(c.source), parse_location(c.location)
            if text is None or where is None:
                continue
            quote = normalise(c.quote)
            key = f"claims[{c.id}]"
            if quote not in text.whole:
                self.add("claims.yaml", f"{key}.quote", f"words found in {c.source}", "no match")
            elif quote not in text.parts.get(where.number, ""):
                found = [f"{where.mark}{n}" for n, part in text.parts.items() if quote in part]
                self.add(
                    "claims.yaml",
                    f"{key}.location",
                    f"the {where.mark} that holds the quote",
                    f"{c.location}; the quote is in {', '.join(found) or 'no numbered part'}",
                )
        return QuoteCheck(True, str(folder), f"{len(self.claims)} quotes found at their locations")

    def dimensions(self) -> None:
        doc = self.docs["dimensions.yaml"]
        self.unique("dimensions.yaml", "dimensions", [d.id for d in doc.dimensions])
        for d in doc.dimensions:
            key = f"dimensions[{d.id}]"
            if d.mentoring.value == d.coaching.value:
                self.add("dimensions.yaml", key, "mentoring and coaching values that differ")
            for approach in APPROACHES:
                value = getattr(d, approach)
                self.grounded("dimensions.yaml", f"{key}.{approach}", value, d.id, approach)
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
                okey = f"{key}.options[{o.id}]"
                if not o.targets and not o.reason:
                    self.add(
                        "inputs.yaml", f"{okey}.reason", "a reason for an option with no targets"
                    )
                for dim, target in o.targets.items():
                    tkey = f"{okey}.targets.{dim}"
                    if dim not in self.dimension_ids:
                        self.add("inputs.yaml", tkey, "a dimension id from dimensions.yaml", dim)
                        continue
                    self.grounded("inputs.yaml", tkey, target, dim)

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
        questions = self.docs["questions.yaml"].questions
        for file, keys in (("verdict.yaml", doc.approaches), ("questions.yaml", questions)):
            for name in keys:
                if name not in VERDICTS:
                    self.add(file, f"{name}", f"one of {list(VERDICTS)}", name)
        for name in VERDICTS:
            if name not in doc.approaches:
                self.add("verdict.yaml", f"approaches.{name}", "a verdict text", "nothing")
            else:
                self.cites("verdict.yaml", f"approaches.{name}", doc.approaches[name].claims)
        for name in VERDICTS:
            if not questions.get(name):
                self.add("questions.yaml", f"questions.{name}", "at least one question", "none")
            for n, question in enumerate(questions.get(name, ())):
                self.cites("questions.yaml", f"questions.{name}[{n}]", question.claims)
        mins = [b.min for b in doc.strength_bands]
        if mins[0] != 0 or mins != sorted(set(mins)):
            self.add("verdict.yaml", "strength_bands", "ascending minimums starting at 0", mins)
        if doc.blend_even_below >= doc.tie_zone:
            expected = f"a value below tie_zone ({doc.tie_zone})"
            self.add("verdict.yaml", "blend_even_below", expected, doc.blend_even_below)

    def run(self, sources_folder: Path | None) -> QuoteCheck:
        self.claims_doc()
        self.dimensions()
        self.inputs()
        self.personas()
        self.verdict()
        return self.quotes(sources_folder)
