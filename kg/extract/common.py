"""Helpers shared by the statement, event and sanction extractors."""
from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span, Token

from ..records import Evidence

if TYPE_CHECKING:
    from datetime import date

    from ..dates import DateResolver


def evidence(doc: Doc, start_char: int, end_char: int, method: str,
             confidence: float) -> Evidence:
    """The sentence(s) holding a span, with its offsets into the article text."""
    first = doc.char_span(start_char, max(start_char + 1, end_char), alignment_mode="expand")
    if first is None or not len(first):
        return Evidence(doc.text[start_char:end_char], start_char, end_char, method, confidence)
    # the sentences' own text, not doc.text: Doc.text joins every token of the article
    # anew on each access, which made long articles quadratic
    sents = doc[first[0].sent.start:first[-1].sent.end]
    text = sents.text
    body = text.strip()
    s = sents.start_char + len(text) - len(text.lstrip())
    return Evidence(body, s, s + len(body), method, confidence)


def subject_of(verb: Token, depth: int = 0) -> Token | None:
    """The subject of a verb, inherited through coordination and participles
    ("criticized ... and have called on", "..., adding that")."""
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
            return child
    if depth < 3 and verb.dep_ in ("conj", "advcl", "xcomp", "ccomp", "relcl", "acl") \
            and verb.head.i != verb.i:
        if verb.dep_ == "relcl":
            return verb.head  # "Russian officials, who said ..." -> the noun
        if verb.dep_ == "xcomp":  # "prompted Washington to impose" -> Washington
            for child in verb.head.children:
                if child.dep_ in ("dobj", "obj"):
                    return child
        return subject_of(verb.head, depth + 1)
    return None


def trimmed(span: Span) -> str:
    return span.text.strip().rstrip(",;:").strip()


def head_chain(tok: Token, limit: int = 4) -> list[Token]:
    out = []
    while tok.head.i != tok.i and len(out) < limit:
        tok = tok.head
        out.append(tok)
    return out


def syntactic_distance(a: Token, b: Token, limit: int = 6) -> int:
    """Edges between two tokens of one sentence through their lowest common head."""
    up_a = [a, *head_chain(a, limit)]
    up_b = [b, *head_chain(b, limit)]
    for i, x in enumerate(up_a):
        for j, y in enumerate(up_b):
            if x.i == y.i:
                return i + j
    return limit * 2 + 1


def date_near(tok: Token, sent: Span, resolver: "DateResolver") -> "date | None":
    """The day a DATE phrase attached to ``tok`` (at most three edges away) names."""
    best = None
    for ent in sent.ents:
        if ent.label_ != "DATE":
            continue
        dist = syntactic_distance(tok, ent.root)
        if dist <= 3 and (best is None or dist < best[0]):
            best = (dist, ent)
    if best is None:
        return None
    ent = best[1]
    # the model sometimes tags "August" alone in "the August 9 election"
    start = min(ent.start, ent.root.left_edge.i)
    end = max(ent.end, min(ent.root.right_edge.i + 1, ent.end + 3))
    return resolver.resolve(sent.doc[start:end].text, context=sent.text)
