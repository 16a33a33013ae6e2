"""Statements: direct quotes attributed to their speaker, and reported speech.

Direct: `"...," X said`, `"...," said X`, `X said: "..."`, `X quoted Y as saying`,
`according to X`, a quote continuing the previous one (next paragraph or sentence),
pronoun speakers resolved. Indirect: a clause whose verb is a speech verb of the
lexicon and whose subject is an actor (`X warned that ...`, `X called for ...`).
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from ..dates import DateResolver
from ..lexicon import Lexicon
from ..records import Statement
from .actors import Actors, Key
from .common import date_near, evidence, subject_of, trimmed
from .quotes import Quote

MIN_QUOTE_WORDS = 4


@dataclass
class _Attribution:
    speakers: list[Key]
    verb: Token | None
    addressees: list[Key]
    method: str
    before: bool  # the attribution stands before the quote


def _speech_verb(tok: Token, lex: Lexicon) -> bool:
    if tok.pos_ not in ("VERB", "AUX") or tok.lemma_.lower() not in lex.speech_verbs:
        return False
    needs = lex.speech_particles.get(tok.lemma_.lower())
    return not needs or any(c.lower_ in needs for c in tok.children)


def _addressees(verb: Token, acts: Actors) -> list[Key]:
    if verb.lemma_.lower() != "tell":
        return []
    out: list[Key] = []
    for c in verb.children:
        if c.dep_ in ("dobj", "dative", "obj", "iobj"):
            out.extend(acts.actors_of(c))
    return out


def _attribute(tokens: list[Token], acts: Actors, lex: Lexicon, before: bool) -> _Attribution | None:
    for tok in (reversed(tokens) if before else tokens):
        if tok.i in acts.quote_tokens:
            continue
        if tok.lower_ == "according":
            for c in tok.children:
                for obj in c.children:
                    if obj.dep_ == "pobj":
                        who = acts.actors_of(obj)
                        if who:
                            return _Attribution(who, tok, [], "quote:according-to", before)
        if tok.lemma_.lower() == "quote" and tok.pos_ == "VERB":
            for c in tok.children:
                if c.dep_ in ("dobj", "obj"):
                    who = acts.actors_of(c)
                    if who:
                        return _Attribution(who, tok, [], "quote:quoted-as-saying", before)
        if _speech_verb(tok, lex):
            subj = subject_of(tok)
            if subj is not None:
                who = acts.actors_of(subj)
                if who:
                    rule = "quote:pronoun" if subj.pos_ == "PRON" else (
                        "quote:speaker-before" if before else "quote:speaker-after")
                    return _Attribution(who, tok, _addressees(tok, acts), rule, before)
    return None


def direct_statements(doc: Doc, quotes: list[Quote], acts: Actors, lex: Lexicon,
                      attribution_verbs: set[int], resolver: DateResolver) -> list[Statement]:
    out: list[Statement] = []
    text = doc.text
    prev: tuple[Quote, _Attribution] | None = None
    for q in quotes:
        span = doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        first_sent, last_sent = span[0].sent, span[-1].sent
        after = [t for t in doc[span.end: last_sent.end] if t.i not in acts.quote_tokens]
        before = [t for t in doc[first_sent.start: span.start] if t.i not in acts.quote_tokens]
        attr = _attribute(after, acts, lex, False) or _attribute(before, acts, lex, True)
        if attr is None and prev is not None:
            gap = text[prev[0].end: q.start]
            if gap.count("\n\n") <= 1 and len(gap) < 400 and _no_new_speaker(gap):
                attr = _Attribution(prev[1].speakers, None, [], "quote:continues", False)
        if q.words(text) < MIN_QUOTE_WORDS:
            if attr is not None and attr.verb is not None:
                attribution_verbs.add(attr.verb.i)  # a scare quote inside reported speech
            continue
        if attr is None:
            continue
        if attr.verb is not None:
            attribution_verbs.add(attr.verb.i)
        words_start, words_end = q.start, q.end
        tail = text[q.end + 1: last_sent.end_char].strip()
        if attr.before and len(tail.split()) > 2:
            words_end = last_sent.end_char  # a quote embedded in reported speech
        words = text[words_start:words_end].strip().strip('"“”').rstrip(",.").strip()
        conf = {"quote:continues": 0.7, "quote:pronoun": 0.8}.get(attr.method, 0.9)
        ev = evidence(doc, q.start, q.end, attr.method, conf)
        mention_keys = [k for k in acts.in_span(span.start, span.end)
                        if k not in attr.speakers]
        out.append(Statement(speakers=[k[1] for k in attr.speakers], text=words, kind="direct",
                             evidence=ev, addressees=[k[1] for k in attr.addressees],
                             mentions=[k[1] for k in mention_keys],
                             date=date_near(attr.verb, attr.verb.sent, resolver) if attr.verb else None))
        prev = (q, attr)
    return out


def _no_new_speaker(gap: str) -> bool:
    """Between two quotes of one speaker there is no other attribution."""
    low = gap.lower()
    return not any(w in low for w in (" said", " says", " told", " added", " according"))


def indirect_statements(doc: Doc, acts: Actors, lex: Lexicon, attribution_verbs: set[int],
                        resolver: DateResolver) -> list[Statement]:
    out: list[Statement] = []
    for tok in doc:
        if tok.i in attribution_verbs or not _speech_verb(tok, lex):
            continue
        subj = subject_of(tok)
        if subj is None or subj.dep_ == "nsubjpass":
            continue  # "X was declared the winner": X is not the speaker
        if tok.i in acts.quote_tokens and (subj.pos_ == "PRON" or subj.i not in acts.quote_tokens):
            continue  # words of a quoted speaker about themselves
        who = acts.actors_of(subj)
        if not who:
            continue
        sent = tok.sent
        start = min(subj.left_edge.i, tok.i) if subj.i < tok.i else tok.i
        end = tok.right_edge.i + 1
        span = doc[start:end]
        if end - tok.i <= 2:  # "..., the two sides said": the content is the sentence
            span = sent
        method = "speech-verb:" + tok.lemma_.lower()
        conf = 0.7 if subj.pos_ == "PRON" else 0.8
        ev = evidence(doc, span.start_char, span.end_char, method, conf)
        mentions = [k for k in acts.in_span(span.start, span.end) if k not in who]
        if any(st.text == trimmed(span) and st.speakers == [k[1] for k in who] for st in out):
            continue  # two speech verbs of one clause ("urged ... and warned")
        out.append(Statement(speakers=[k[1] for k in who], text=trimmed(span), kind="indirect",
                             evidence=ev, addressees=[k[1] for k in _addressees(tok, acts)],
                             mentions=[k[1] for k in mentions], date=date_near(tok, sent, resolver)))
    return out
