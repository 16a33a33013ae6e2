"""Events: trigger words of the lexicon, typed, with participants, place and date.

A trigger inside a quotation, or wished for rather than reported ("demanded the
release of", "called for new elections"), makes no event; nor does a generic
mention ("a free election"). Mentions of one type and day in an article are one
event.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from ..dates import DateResolver
from ..lexicon import EventType, Lexicon
from ..names import norm
from ..records import Event
from .actors import Actors, Key
from .common import date_near, evidence, head_chain, syntactic_distance

STATE_ACTIONS = {"Detention", "Crackdown", "LegalAction"}
_GENERIC_DETS = {"a", "an", "any", "new", "free", "fair", "every", "future"}


def _triggers(doc: Doc, lex: Lexicon) -> list[tuple[EventType, Token, str]]:
    found: list[tuple[EventType, Token, str]] = []
    taken: set[int] = set()
    for etype in lex.event_types:
        for m in etype.phrases.finditer(doc.text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None and span.root.i not in taken:
                found.append((etype, span.root, m.group(0)))
                taken.update(t.i for t in span)
    for tok in doc:
        if tok.i in taken or tok.pos_ not in ("NOUN", "VERB", "PROPN"):
            continue
        lemma = tok.lemma_.lower()
        for etype in lex.event_types:
            if lemma in etype.lemmas:
                found.append((etype, tok, tok.text))
                taken.add(tok.i)
                break
    return found


def _irrealis(tok: Token, lex: Lexicon) -> bool:
    if any(c.dep_ == "aux" and c.lower_ in ("should", "must", "to") for c in tok.children):
        return True
    for h in head_chain(tok, 3):
        if h.lemma_.lower() in lex.irrealis_heads:
            return True
        if h.pos_ == "VERB" and h.dep_ not in ("xcomp", "ccomp") and h.i != tok.head.i:
            break
    return False


def _generic(tok: Token, etype: EventType) -> bool:
    dets = {c.lower_ for c in tok.children if c.dep_ in ("det", "amod", "poss", "compound", "nummod")}
    if etype.name == "Election" and tok.pos_ == "NOUN":
        return not dets or bool(dets & _GENERIC_DETS) or tok.tag_ == "NNS" and "the" not in dets
    return tok.pos_ == "NOUN" and bool(dets & {"a", "an", "any", "every"})


def _place(tok: Token, sent: Span, acts: Actors) -> str | None:
    for ent in sent.ents:
        if ent.label_ not in ("GPE", "LOC", "FAC"):
            continue
        root = ent.root
        if root.dep_ == "pobj" and root.head.lower_ in ("in", "at", "to", "outside", "near") \
                and syntactic_distance(tok, root) <= 4:
            return ent.text
    return None


def _participants(tok: Token, acts: Actors) -> list[Key]:
    anchor = tok
    if tok.pos_ == "NOUN" and tok.head.pos_ in ("VERB", "AUX") and tok.dep_ in ("dobj", "obj", "nsubj", "nsubjpass", "attr"):
        anchor = tok.head  # "held talks", "staged a march"
    keys: list[Key] = []
    for t in [anchor, *anchor.children]:
        if t.dep_ in ("nsubj", "nsubjpass", "dobj", "obj", "agent", "pobj", "prep", "poss",
                      "compound", "amod", "conj", "dative") or t.i == anchor.i:
            for sub in t.subtree:
                if sub.i in acts.quote_tokens:
                    continue
                m = acts.at(sub)
                if m and (m.key[0] == "Person" or m.acting) and m.key not in keys:
                    keys.append(m.key)
    return keys


def _state_of(place: str | None, acts: Actors) -> str | None:
    if place:
        country = acts.gaz.country_of_place.get(norm(place))
        if country:
            return country
        if ("Government", place) in acts.gaz.entries:
            return place
    return acts.focus_country


def find_events(doc: Doc, acts: Actors, lex: Lexicon, resolver: DateResolver) -> list[Event]:
    merged: dict[tuple, Event] = {}
    for etype, tok, trigger in _triggers(doc, lex):
        if tok.i in acts.quote_tokens or _irrealis(tok, lex) or _generic(tok, etype):
            continue
        sent = tok.sent
        if etype.name == "Release" and not (
                any(t.lemma_.lower() in lex.release_needs for t in sent) or tok.tag_ == "VBN"):
            continue
        day = date_near(tok, sent, resolver)
        place = _place(tok, sent, acts)
        who = _participants(tok, acts)
        if etype.name in STATE_ACTIONS and not any(k[0] == "Government" for k in who):
            state = _state_of(place, acts)
            if state:
                who.append(("Government", state))
                acts.ensure(("Government", state))
        ev = evidence(doc, sent.start_char, sent.end_char, f"trigger:{trigger.lower()}", 0.7)
        key = (etype.name, day) if day else (etype.name, sent.start)
        event = merged.get(key)
        if event is None:
            merged[key] = Event(type=etype.name, trigger=trigger, evidence=ev,
                                participants=[k[1] for k in who], date=day, place=place)
        else:
            event.participants.extend(k[1] for k in who if k[1] not in event.participants)
            event.place = event.place or place
    return list(merged.values())
