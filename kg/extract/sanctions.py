"""Sanctions: who imposes (or plans, or backs) restrictive measures on whom.

Imposers come from the trigger's modifiers ("EU sanctions") or the subject of the
verbs governing it ("Washington to impose sanctions"); targets from "against X" /
"on X". The status is read from the governing words (lexicon cues). When a
sentence names no target, the country the article is about is taken, with a low
confidence.
"""
from __future__ import annotations

from spacy.tokens import Doc, Token

from ..dates import DateResolver
from ..lexicon import Lexicon
from ..records import Sanction
from .actors import Actors, Key
from .common import date_near, evidence, head_chain, subject_of


def _sanction_triggers(doc: Doc, lex: Lexicon) -> list[Token]:
    out: list[Token] = []
    for m in lex.sanction_phrases.finditer(doc.text):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is not None:
            out.append(span.root)
    out.extend(t for t in doc if t.lemma_.lower() in lex.sanction_lemmas and t.pos_ in ("NOUN", "VERB"))
    return sorted({t.i: t for t in out}.values(), key=lambda t: t.i)


def _modifiers(tok: Token, acts: Actors) -> list[Key]:
    keys: list[Key] = []
    for c in tok.children:
        if c.dep_ in ("compound", "amod", "poss", "nmod"):
            keys.extend(k for k in acts.actors_of(c) if k not in keys)
            m = acts.at(c)
            if m and m.key[0] == "Government" and m.key not in keys:
                keys.append(m.key)
                acts.mark_acting(m)
    return keys


def _targets(tok: Token, acts: Actors) -> list[Key]:
    keys: list[Key] = []
    for holder in [tok, *head_chain(tok, 2)]:
        for prep in holder.children:
            if prep.dep_ == "prep" and prep.lower_ in ("against", "on", "targeting"):
                for obj in prep.children:
                    if obj.dep_ == "pobj":
                        for k in acts.actors_of(obj) or _adjective_state(obj, acts):
                            if k not in keys:
                                keys.append(k)
        if keys:
            break
    return keys


def _adjective_state(obj: Token, acts: Actors) -> list[Key]:
    """"against Belarusian officials" targets the state the adjective names."""
    for sub in obj.subtree:
        m = acts.at(sub)
        if m and m.key[0] == "Government":
            acts.mark_acting(m)
            return [m.key]
    return []


def _status(tok: Token, lex: Lexicon) -> tuple[str, Token | None]:
    if any(c.lower_ in lex.status_cues["planned"] for c in tok.children if c.dep_ in ("amod", "aux")):
        return "planned", None
    for h in head_chain(tok, 4):
        lemma = h.lemma_.lower()
        for status in ("supported", "planned", "imposed"):
            if lemma in lex.status_cues[status]:
                return status, h
        if any(c.dep_ == "aux" and c.lower_ in lex.status_cues["planned"] for c in h.children):
            return "planned", h
    return "imposed", None


def _as_governments(keys: list[Key], acts: Actors) -> list[Key]:
    """Only governments impose: a person announcing a measure acts for the
    government of their position ("EU foreign policy chief ..." -> the EU)."""
    out: list[Key] = []
    for key in keys:
        if key[0] == "Person":
            ent = acts.entities.get(key)
            govs = [p.government for p in ent.positions if p.government] if ent else []
            key = ("Government", govs[0]) if govs else None
        if key and key not in out:
            out.append(key)
    return out


def find_sanctions(doc: Doc, acts: Actors, lex: Lexicon, resolver: DateResolver) -> list[Sanction]:
    out: list[Sanction] = []
    seen: set[int] = set()
    for tok in _sanction_triggers(doc, lex):
        sent = tok.sent
        if sent.start in seen or tok.i in acts.quote_tokens:
            continue
        seen.add(sent.start)
        status, cue = _status(tok, lex)
        owners = _as_governments(_modifiers(tok, acts), acts)
        actors: list[Key] = []
        for h in head_chain(tok, 4):
            if h.pos_ in ("VERB", "AUX"):
                subj = subject_of(h)
                if subj is not None:
                    actors = _as_governments(acts.actors_of(subj), acts)
                    if actors:
                        break
        targets = _targets(tok, acts)
        conf = 0.8
        if not targets and acts.focus_country:
            targets = [("Government", acts.focus_country)]
            conf = 0.5
        ev = evidence(doc, sent.start_char, sent.end_char, f"sanction:{tok.lemma_.lower()}", conf)
        day = date_near(cue or tok, sent, resolver)
        if status == "supported" and owners:
            # "Denmark supported EU sanctions": the EU's measure, Denmark's support
            out.append(Sanction("planned", tok.text, ev, [k[1] for k in owners],
                                [k[1] for k in targets if k not in owners], day))
            out.append(Sanction("supported", tok.text, ev, [k[1] for k in actors if k not in owners],
                                [k[1] for k in targets if k not in actors], day))
            continue
        imposers = owners or actors
        out.append(Sanction(status, tok.text, ev, [k[1] for k in imposers],
                            [k[1] for k in targets if k not in imposers], day))
    return [s for s in out if s.imposers or s.targets]
