"""Who an article talks about: mentions of persons and governments, resolved.

Sources of mentions, strongest first: the gazetteer (entity ruler ids), names the
NER model tags PERSON, surnames of persons already named in the article (whatever
label the model gave them), metonyms and adjectives standing for governments.
A country or capital counts as a government only where it acts (speaks, meets,
imposes, is the subject or object of an act); "in Minsk" is a place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from ..gazetteer import Gazetteer
from ..lexicon import Lexicon
from ..names import guess_gender, norm, skeleton
from ..nlp import ADJ, BODY, CAPITAL, GOV, NOT, PERSON
from ..records import Entity, Position

Key = tuple[str, str]  # (kind, canonical name)
_NAME_TOKEN = re.compile(r"^[A-Z][\w'’.-]*$")
_NAME_PARTICLES = {"von", "der", "de", "van", "la", "le", "bin", "al"}
_PRONOUNS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}
_PLURAL_PRONOUNS = {"they", "them", "their"}


@dataclass
class Mention:
    start: int  # token span [start, end)
    end: int
    key: Key
    acting: bool
    text: str


@dataclass
class Actors:
    """The resolved actors of one article and the index from tokens to mentions."""

    doc: Doc
    gaz: Gazetteer
    lex: Lexicon
    mentions: list[Mention] = field(default_factory=list)
    by_token: dict[int, Mention] = field(default_factory=dict)
    entities: dict[Key, Entity] = field(default_factory=dict)
    genders: dict[Key, str | None] = field(default_factory=dict)
    quote_tokens: set[int] = field(default_factory=set)
    focus_country: str | None = None

    # ------------------------------------------------------------------ queries
    def at(self, token: Token) -> Mention | None:
        return self.by_token.get(token.i)

    def in_span(self, start: int, end: int, acting_only: bool = True) -> list[Key]:
        keys: list[Key] = []
        for m in self.mentions:
            if m.start >= start and m.end <= end and (m.acting or not acting_only) \
                    and m.key not in keys:
                keys.append(m.key)
        return keys

    def actors_of(self, token: Token, depth: int = 0) -> list[Key]:
        """The actors a noun phrase headed by ``token`` stands for: named mentions,
        coordinations, "Russian officials", pronouns and descriptions ("the
        Belarusian leader") resolved to the person meant."""
        found: list[Key] = []
        m = self.at(token)
        if m and (m.key[0] == "Person" or m.acting or token.dep_ in ("nsubj", "nsubjpass")):
            found.append(m.key)
            self.mark_acting(m)
        elif token.lower_ in _PRONOUNS or token.lower_ in _PLURAL_PRONOUNS:
            found.extend(self.resolve_pronoun(token))
        else:
            found.extend(self._described(token))
        if depth < 3:
            for child in token.children:
                if child.dep_ == "conj":
                    found.extend(k for k in self.actors_of(child, depth + 1) if k not in found)
        return found

    def mark_acting(self, m: Mention) -> None:
        if not m.acting:
            m.acting = True
            self.ensure(m.key)

    def _described(self, head: Token) -> list[Key]:
        """"Russian officials", "UN investigators", "the Belarusian leader"."""
        if head.pos_ not in ("NOUN", "PROPN"):
            return []
        govs: list[Key] = []
        for child in head.children:
            if child.dep_ in ("amod", "compound", "poss", "nmod"):
                cm = self.at(child)
                if cm and cm.key[0] == "Government":
                    govs.append(cm.key)
                    self.mark_acting(cm)
        lemma = head.lemma_.lower()
        titles = self.lex.descriptor_titles.get(lemma)
        if titles and any(c.lower_ == "the" for c in head.children):
            for key, ent in self.entities.items():
                if key[0] == "Person" and any(
                        p.title in titles and (not govs or p.government == govs[0][1])
                        for p in ent.positions):
                    return [key]
        if govs and (head.lower_ in self.lex.official_nouns or lemma in self.lex.official_nouns):
            return govs
        return []

    def resolve_pronoun(self, token: Token) -> list[Key]:
        """The person (he/she) or group (they) a pronoun refers to: the nearest
        earlier mention outside quotations that agrees in gender, within a few
        sentences."""
        want = _PRONOUNS.get(token.lower_)
        limit = max(0, token.sent.start - 80)
        if token.lower_ in _PLURAL_PRONOUNS:
            for sent_start in range(token.sent.start - 1, limit, -1):
                tok = self.doc[sent_start]
                if tok.is_sent_start:
                    group = self._subject_group(tok.sent)
                    if len(group) > 1 or (group and group[0][0] == "Government"):
                        return group
            return []
        for m in reversed(self.mentions):
            if m.end > token.i or m.start < limit or m.start in self.quote_tokens:
                continue
            if m.key[0] != "Person":
                continue
            gender = self.genders.get(m.key)
            if want is None or gender is None or gender == want:
                return [m.key]
        return []

    def _subject_group(self, sent: Span) -> list[Key]:
        for tok in sent:
            if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ == "ROOT":
                return self.actors_of(tok, depth=1) if tok.lower_ not in _PLURAL_PRONOUNS else []
        return []

    # ------------------------------------------------------------------ building
    def ensure(self, key: Key) -> Entity:
        ent = self.entities.get(key)
        if ent is None:
            known = self.gaz.entries.get(key)
            ent = Entity(kind=key[0], name=key[1],
                         wikidata=known.wikidata if known else None,
                         part_of=known.part_of if known else None)
            if known:
                ent.positions.extend(Position(t, g) for t, g in known.positions)
                for _, g in known.positions:
                    self.ensure(("Government", g))
                if known.part_of:
                    self.ensure(("Government", known.part_of))
            self.entities[key] = ent
            self.genders[key] = (known.gender if known and known.gender else guess_gender(key[1]))
        return ent

    def add(self, start: int, end: int, key: Key, acting: bool) -> Mention | None:
        if any(i in self.by_token for i in range(start, end)):
            return None
        text = self.doc[start:end].text
        m = Mention(start, end, key, acting, text)
        self.mentions.append(m)
        for i in range(start, end):
            self.by_token[i] = m
        if acting:
            ent = self.ensure(key)
            if norm(text) != norm(key[1]) and not text.islower():
                ent.aliases.add(re.sub(r"^(?:the|The)\s+|['’]s?$", "", text).strip())
        return m


def _is_name(span: Span, gaz: Gazetteer) -> bool:
    words = [t.text for t in span if not t.is_punct or t.text in "-"]
    if not 2 <= len(words) <= 4 or gaz.is_not_entity(span.text):
        return False
    return all(_NAME_TOKEN.match(w) or w.lower() in _NAME_PARTICLES for w in words) \
        and not any(w.isupper() and len(w) > 1 for w in words) \
        and not any(ch.isdigit() for ch in span.text)


def _trim(span: Span) -> Span:
    """Drop a possessive ending and leading titles the model sometimes includes."""
    start, end = span.start, span.end
    while end > start and span.doc[end - 1].text in ("'s", "’s", "'", "’"):
        end -= 1
    while start < end and span.doc[start].lower_ in ("the", "mr", "mr.", "ms", "ms.", "mrs", "mrs."):
        start += 1
    return span.doc[start:end]


def _locative(tok: Token, lex: Lexicon) -> bool:
    """True where a country or capital is a place: "in Minsk", "to Lithuania, Russia"."""
    while tok.dep_ in ("conj", "appos") and tok.head.i != tok.i:
        tok = tok.head
    if tok.dep_ == "pobj" and tok.head.lower_ in lex.locative_preps:
        return True
    if tok.dep_ in ("compound", "nmod", "amod") and tok.head.lower_ not in lex.official_nouns:
        return True
    return tok.dep_ == "npadvmod" or tok.ent_type_ in ("DATE",)


def find_actors(doc: Doc, gaz: Gazetteer, lex: Lexicon, known_persons: dict[str, str],
                quote_tokens: set[int]) -> Actors:
    """All actor mentions of ``doc``; ``known_persons`` maps surname skeletons of persons
    seen in earlier articles to their canonical names (cross-article resolution)."""
    acts = Actors(doc, gaz, lex, quote_tokens=quote_tokens)
    surnames: dict[str, Key] = {}
    pending: list[Span] = []
    country_counts: dict[str, int] = {}
    for ent in doc.ents:
        tag, _, name = ent.ent_id_.partition(":")
        root = ent.root
        if tag == NOT:
            continue
        if tag == PERSON:
            m = acts.add(ent.start, ent.end, ("Person", name), True)
            if m:
                surnames.setdefault(skeleton(name.split()[-1]), m.key)
        elif tag in (GOV, CAPITAL, ADJ, BODY):
            known = gaz.entries.get(("Government", name))
            if tag == BODY:
                continue  # resolved below, once the article's country is known
            if tag == GOV and known and known.gov_kind != "country":
                acting = True
            elif tag == ADJ:
                acting = root.head.lower_ in lex.official_nouns and root.dep_ in ("amod", "compound")
            else:
                acting = not _locative(root, lex)
            if known and known.gov_kind == "country":
                country_counts[name] = country_counts.get(name, 0) + 1
            acts.add(ent.start, ent.end, ("Government", name), acting)
        elif ent.label_ == "PERSON":
            pending.append(_trim(ent))
    acts.focus_country = max(country_counts, key=country_counts.get) if country_counts else None
    for ent in doc.ents:
        tag, _, template = ent.ent_id_.partition(":")
        if tag == BODY:
            country = _country_near(ent, acts) or acts.focus_country
            body = gaz.body_of(ent.text, country)
            if body:
                acts.add(ent.start, ent.end, body and ("Government", body.name), True)
    # names the model found: a gazetteer entry by transliteration, or a new person
    for span in sorted(pending, key=len, reverse=True):
        if not span.text or gaz.is_not_entity(span.text):
            continue
        known = gaz.lookup(span.text)
        if known:
            acts.add(span.start, span.end, (known.kind, known.name), True)
            if known.kind == "Person":
                surnames.setdefault(skeleton(known.name.split()[-1]), (known.kind, known.name))
        elif _is_name(span, gaz):
            sk = skeleton(span[-1].text)
            key = surnames.get(sk) or ("Person", span.text)
            m = acts.add(span.start, span.end, key, True)
            if m:
                surnames.setdefault(sk, key)
    # bare surnames, whatever label the model gave them ("Pompeo" as a place)
    for tok in doc:
        if tok.i in acts.by_token or not _NAME_TOKEN.match(tok.text) or len(tok.text) < 3:
            continue
        sk = skeleton(tok.text)
        key = surnames.get(sk)
        if key is None and sk in known_persons and tok.ent_type_ == "PERSON":
            key = ("Person", known_persons[sk])
        if key:
            acts.add(tok.i, tok.i + 1, key, True)
    acts.mentions.sort(key=lambda m: m.start)
    return acts


def _country_near(span: Span, acts: Actors) -> str | None:
    """The country an adjective just before a body names ("Russian" Foreign Ministry)."""
    if span.start > 0:
        prev = acts.at(span.doc[span.start - 1])
        if prev and prev.key[0] == "Government":
            return prev.key[1]
    return None


def find_positions(acts: Actors) -> None:
    """Titles before or after a person's name give the person a position in a
    government: "U.S. Deputy Secretary of State Stephen Biegun", "George Kent, U.S.
    deputy assistant secretary ...". A former office is not recorded."""
    doc, lex = acts.doc, acts.lex
    for m in list(acts.mentions):
        if m.key[0] != "Person":
            continue
        run = _title_run(doc, m.start - 1, -1, acts)
        if not run and m.end < len(doc) and doc[m.end].text == ",":
            run = _title_run(doc, m.end + 1, 1, acts)
        if not run:
            continue
        tokens = sorted(run, key=lambda t: t.i)
        if tokens[0].i > 0 and doc[tokens[0].i - 1].lower_ in ("former", "ex", "ex-", "late"):
            continue
        gov = None
        title_tokens = []
        for t in tokens:
            tm = acts.at(t)
            if tm and tm.key[0] == "Government":
                gov = gov or tm.key[1]
                acts.mark_acting(tm)
            elif t.text not in ("'s", "’s", "'"):
                title_tokens.append(t)
        while title_tokens and title_tokens[0].lower_ in ("of", "the", "and", "for"):
            title_tokens.pop(0)
        while title_tokens and title_tokens[-1].lower_ in ("of", "the", "and", "for"):
            title_tokens.pop()
        if not title_tokens or not any(t.lower_ in lex.position_heads for t in title_tokens):
            continue
        title = " ".join(t.text if t.lower_ in ("of", "the", "and", "for") else t.text[0].upper() + t.text[1:]
                         for t in title_tokens)
        ent = acts.ensure(m.key)
        known = acts.gaz.entries.get(m.key)
        if gov is None and known:
            gov = next((g for t, g in known.positions if t == title), None)
        pos = Position(title, gov)
        if pos not in ent.positions:
            ent.positions.append(pos)
        if gov:
            acts.ensure(("Government", gov))


def _title_run(doc: Doc, i: int, step: int, acts: Actors) -> list[Token]:
    lex = acts.lex
    run: list[Token] = []
    while 0 <= i < len(doc) and len(run) < 8:
        t = doc[i]
        tm = acts.at(t)
        if tm and tm.key[0] == "Person":
            break
        ok = (tm is not None and tm.key[0] == "Government") or t.lower_ in lex.position_heads \
            or t.lower_ in lex.position_words or t.text in ("'s", "’s")
        if not ok:
            break
        run.append(t)
        i += step
    if step > 0:  # after a name: the run must end at a title word
        while run and run[-1].lower_ not in lex.position_heads and not acts.at(run[-1]):
            if run[-1].lower_ in ("state", "affairs", "policy", "security"):
                break
            run.pop()
    return run
