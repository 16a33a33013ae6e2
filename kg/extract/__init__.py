"""Article + parsed Doc -> :class:`~kg.records.Extraction`.

The extractors are rules over spaCy's parse, driven by the data in ``mappings/``
(gazetteer, lexicon); each fact records the rule that produced it, which
``kg explain`` shows.
"""
from __future__ import annotations

from spacy.tokens import Doc

from ..dates import DateResolver
from ..gazetteer import Gazetteer
from ..lexicon import Lexicon
from ..records import Article, Extraction
from .actors import find_actors, find_positions
from .events import find_events
from .quotes import find_quotes
from .sanctions import find_sanctions
from .statements import direct_statements, indirect_statements


def extract(doc: Doc, article: Article, gaz: Gazetteer, lex: Lexicon,
            known_persons: dict[str, str] | None = None) -> Extraction:
    quotes = find_quotes(doc.text)
    quote_tokens: set[int] = set()
    for q in quotes:
        span = doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is not None:
            quote_tokens.update(range(span.start, span.end))
    acts = find_actors(doc, gaz, lex, known_persons or {}, quote_tokens)
    find_positions(acts)
    resolver = DateResolver(article.published, article.published_source in ("metadata", "page"),
                            article.year_hint)
    attribution_verbs: set[int] = set()
    statements = direct_statements(doc, quotes, acts, lex, attribution_verbs, resolver)
    statements += indirect_statements(doc, acts, lex, attribution_verbs, resolver)
    events = find_events(doc, acts, lex, resolver)
    sanctions = find_sanctions(doc, acts, lex, resolver)
    for ent in acts.entities.values():
        known = gaz.entries.get(ent.key)
        if known:
            ent.aliases.update(known.aliases)
        ent.aliases.discard(ent.name)
    return Extraction(article=article, entities=list(acts.entities.values()),
                      statements=statements, events=events, sanctions=sanctions)
