"""QuickStatements (version 1, tab-separated) commands for what Wikidata could accept.

An item that exists (the entity has a Wikidata id) gets its statements on lines
that start with its Q-id; an entity without one gets ``CREATE`` followed by
``LAST`` lines for its English label (``Len``), description (``Den``), aliases
(``Aen``) and statements. Each statement line ends with one reference (``S``
pairs): the article's URL (S854) when known, its title (S1476), its publication
date (S577) and the retrieval date (S813). A statement with several sources is
written once per source; QuickStatements adds each reference to the same
statement. Nothing is written without a source, and a new item is created only
when at least one of its statements can be written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .claims import Claim, Item, Source, Subject, Value
from .mapping import WikidataMapping, load


@dataclass
class Batch:
    """The commands, and what was left out and why (for the command line to report)."""

    lines: list[str] = field(default_factory=list)
    statements: int = 0
    created: int = 0
    skipped: list[str] = field(default_factory=list)  # labels of entities with nothing to say

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def time(d: date) -> str:
    """A day in QuickStatements' time syntax (precision 11 = day)."""
    return f"+{d.isoformat()}T00:00:00Z/11"


def string(text: str) -> str:
    """A quoted string value; tabs and line breaks would end the field, so they become spaces."""
    return '"' + " ".join(text.split()) + '"'


def _value(v: Value) -> str | None:
    if isinstance(v, Item):
        return v.qid
    return time(v)


def _reference(src: Source, wm: WikidataMapping, retrieved: date) -> list[str]:
    refs = wm.refs
    out: list[str] = []
    if src.url:
        out += ["S" + refs["url"][1:], string(src.url)]
    if src.title:
        out += ["S" + refs["title"][1:], f"{wm.language}:{string(src.title)}"]
    if src.published:
        out += ["S" + refs["published"][1:], time(src.published)]
    out += ["S" + refs["retrieved"][1:], time(retrieved)]
    return out


def _statement_lines(subject: str, claim: Claim, wm: WikidataMapping, retrieved: date) -> list[str]:
    value = _value(claim.value)
    if value is None or claim.prop in wm.deprecated:
        return []
    quals: list[str] = []
    for prop, v in claim.qualifiers:
        qv = _value(v)
        if qv is not None and prop not in wm.deprecated:
            quals += [prop, qv]
    return ["\t".join([subject, claim.prop, value, *quals, *_reference(src, wm, retrieved)])
            for src in claim.sources if src.citable]


def render(subjects: list[Subject], retrieved: date, mapping: WikidataMapping | None = None) -> Batch:
    """The batch for ``subjects``; ``retrieved`` is the S813 date of every reference."""
    wm = mapping or load()
    batch = Batch()
    lang = wm.language
    for subj in subjects:
        if subj.qid:
            for claim in subj.claims:
                if claim.prop in wm.skip_for_existing:
                    continue
                lines = _statement_lines(subj.qid, claim, wm, retrieved)
                batch.lines += lines
                batch.statements += bool(lines)
            continue
        claim_lines = [_statement_lines("LAST", c, wm, retrieved) for c in subj.claims]
        if not any(claim_lines):
            batch.skipped.append(subj.label)
            continue
        batch.created += 1
        batch.lines += ["CREATE", f"LAST\tL{lang}\t{string(subj.label)}"]
        if subj.description:
            batch.lines.append(f"LAST\tD{lang}\t{string(subj.description)}")
        batch.lines += [f"LAST\tA{lang}\t{string(a)}" for a in subj.aliases]
        for lines in claim_lines:
            batch.lines += lines
            batch.statements += bool(lines)
    return batch
