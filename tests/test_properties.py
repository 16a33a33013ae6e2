"""Property-based tests (hypothesis) of the text pipeline: any Unicode text, whatever
its scripts, controls, marks or token lengths, is cleaned, read, parsed, extracted and
stored without a crash, and every evidence span points into the article text.

Texts mix sentences the extractors act on (known names, speech verbs, quotes,
sanctions, dates) with arbitrary Unicode, so that the rules run on hostile input.
"""
from __future__ import annotations

import codecs
import os

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from pyoxigraph import NamedNode

from kg.clean import clean_page
from kg.decoding import DecodeError, decode
from kg.readers import MAX_TEXT_CHARS, Problem, ReadError, article_from_text, read_articles
from kg.records import Article
from kg.store import KGStore

NKG_CONTENT = NamedNode("https://w3id.org/newskg/ontology#content")

# any character but lone surrogates (which no file or JSON string decodes to: the
# readers turn them into U+FFFD)
anychar = st.characters(blacklist_categories=("Cs",))
special = st.sampled_from([
    "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\t", "\xa0", "\u200b",
    "\ufeff", "\u202e", "\u200f", "\x00", "\x1b[31m", "\u0301\u0301\u0301", "e\u0301", "ﷺ", "𝕸𝖎𝖓𝖘𝖐",
    "👩‍👩‍👧", "🇧🇾", "«", "»", "„", "“", "”", "‘", "’", '"', "'", "—", "…", "\\", "<", "&amp;",
])
rtl = st.sampled_from(["مينسك", "المتظاهرون قالوا", "מינסק", "הממשלה אמרה", "\u05d0\u05b8"])
names = st.sampled_from([
    "Alexander Lukashenko", "Lukashenko", "Svetlana Tikhanovskaya", "Tikhanovskaya", "Vladimir Putin",
    "Mike Pompeo", "Sergey Lavrov", "the European Union", "Lithuania", "the Kremlin", "Moscow",
    "Belarusian officials", "the opposition", "He", "She", "They", "Maria Kolesnikova",
])
verbs = st.sampled_from([
    "said", "told reporters", "announced", "warned", "called on", "condemned", "imposed sanctions on",
    "met", "urged", "accused", "detained", "plans to sanction", "spoke by phone with", "visited",
])
tails = st.sampled_from([
    ".", " on Monday.", " on August 9, 2020.", " in Minsk.", ' that "the vote was rigged."',
    ", adding that more measures would follow.", " over the crackdown on protesters.", "",
])
sentence = st.builds(lambda a, v, b, t: f"{a} {v} {b}{t}", names, verbs, names, tails)
quote = st.builds(lambda q, n, v: f"\u201c{q},\u201d {n} {v}.", st.text(anychar, max_size=60), names,
                  st.sampled_from(["said", "told reporters", "wrote"]))
noise = st.text(anychar, max_size=40)
long_token = st.text(st.sampled_from("abcxyzабвة٣漢"), min_size=300, max_size=3000)
piece = st.one_of(sentence, sentence, quote, noise, special, rtl, long_token)
paragraph = st.lists(piece, min_size=1, max_size=8).map(" ".join)
page = st.lists(st.one_of(paragraph, noise, special), min_size=1, max_size=8).map(
    lambda ps: "\n".join(ps))

# KG_PROPERTY_EXAMPLES=2000 for a long hunt outside the suite
EXAMPLES = int(os.environ.get("KG_PROPERTY_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(raw=st.one_of(page, st.text(anychar, max_size=2000)))
def test_clean_page_takes_any_text(raw):
    cleaned = clean_page(raw)
    assert "\r" not in cleaned.text and "\ufeff" not in cleaned.text
    for para in cleaned.text.split("\n\n") if cleaned.text else []:
        assert para and para == para.strip(), repr(para)
    assert cleaned.title is None or cleaned.title.strip() == cleaned.title


@SETTINGS
@given(text=st.text(anychar, max_size=3000))
@example(text="%PDF-1.7 but in fact a sentence.")
@example(text="\ufeffA text with a byte-order mark.")
def test_utf8_text_decodes_to_itself_unless_refused(text):
    data = text.encode("utf-8")
    try:
        back = decode(data, "t.txt")
    except DecodeError as err:
        assert "binary" in str(err)
        assert "\x00" in text[:8192] or data[:4] in (b"%PDF", b"PK\x03\x04", b"GIF8")
        return
    assert back == text.removeprefix("\ufeff")


@SETTINGS
@given(text=st.text(anychar, min_size=1, max_size=500),
       codec=st.sampled_from(["cp1251", "cp1252", "latin-1", "koi8-r", "utf-16", "cp1250"]))
def test_any_bytes_decode_or_are_refused_clearly(text, codec):
    data = text.encode(codec, errors="replace")
    try:
        back = decode(data, "t.txt")
    except DecodeError as err:
        assert str(err)  # a reason is given
        return
    assert isinstance(back, str)
    codecs.encode(back, "utf-8")  # storable: no lone surrogates


@settings(SETTINGS, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=3000), page.map(lambda t: t.encode("utf-8", "replace")),
                      page.map(lambda t: t.encode("cp1251", "replace"))),
       suffix=st.sampled_from([".txt", ".html", ".jsonl"]))
def test_any_file_is_articles_or_problems_naming_it(tmp_path, data, suffix):
    path = tmp_path / f"any{suffix}"
    path.write_bytes(data if suffix != ".jsonl" else data + b"\n" + data[::-1])
    for item in read_articles([path]):
        if isinstance(item, Problem):
            assert item.source.startswith(str(path)) and item.reason
        else:
            assert isinstance(item, Article) and item.text.strip()
            codecs.encode(item.text, "utf-8")


@pytest.fixture(scope="module")
def mem_store() -> KGStore:
    return KGStore()


@settings(SETTINGS, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(raw=page)
@example(raw='\u201cWe will not give up,\u201d Tikhanovskaya said.\u2029Lukashenko met Putin in Sochi.')
@example(raw="Lukashenko said\u0301 that " + "x" * 5000 + " was over. Putin met Lukashenko on September 14.")
def test_extraction_of_any_text_keeps_evidence_inside_the_text(builder, mem_store, raw):
    try:
        art = article_from_text("prop.txt", raw)
    except ReadError as err:
        assert "no article text" in str(err) or "too long" in str(err)
        event("no article text")
        return
    assert 0 < len(art.text) <= MAX_TEXT_CHARS
    [ex] = list(builder.extractions([art]))
    text = art.text
    event("facts extracted" if ex.statements or ex.events or ex.sanctions else "no facts")
    for fact in [*ex.statements, *ex.events, *ex.sanctions]:
        ev = fact.evidence
        assert 0 <= ev.start <= ev.end <= len(text), (ev, len(text))
        assert text[ev.start:ev.end] == ev.sentence, fact
    graph, mine, shared = builder.mapper.quads(ex)
    mem_store.replace_article(graph, mine, shared)
    [stored] = [q.object.value for q in mem_store.store.quads_for_pattern(graph, NKG_CONTENT, None, graph)]
    assert stored == text
