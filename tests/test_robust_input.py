"""Bad input through the real `kg build` (click's CliRunner, in process): each bad file
is reported by name and reason, the rest is built, the exit status says something
failed, and nothing already in the store is lost.

All texts here are written for these tests; large files are generated into tmp_path.
"""
from __future__ import annotations

import gc
import json
import os
import random
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import NKG, sample_files, write

from kg.cli import main
from kg.readers import MB, Problem, ReadOptions, read_articles
from kg.store import KGStore

STRIKE = """Tractor plant workers walk out in Minsk
Several hundred workers at the Minsk Tractor Works stopped work on Monday to protest against the official result of the presidential election.
Managers at the plant said production had continued, a claim the strikers disputed.
"""
STUDENTS = """Students march through central Minsk
Hundreds of students marched through central Minsk on Tuesday, chanting slogans and carrying white-red-white flags.
Police detained several of them near the main university building, witnesses said.
"""
# Russian, as Belarusian outlets publish it: kept in cp1251 by many archives
CYRILLIC = """Забастовка на тракторном заводе
Сотни рабочих Минского тракторного завода в понедельник прекратили работу в знак протеста против итогов выборов.
Руководство завода заявило, что производство не остановилось.
"""
# Western names with accents, as a latin-1 archive keeps them
ACCENTS = """Foreign ministers meet on Belarus
French diplomat Michèle Durand and German envoy Jürgen Müller met Spain's José García in Brussels on Thursday to discuss Belarus.
The three said they would back further sanctions against officials in Minsk.
"""


@dataclass(frozen=True)
class Ran:
    exit_code: int
    stderr: str


def kg(*args: object) -> Ran:
    """`kg ARGS...` in process. Only the outcome is kept: the traceback of sys.exit(1)
    holds the command's frames, which keep its store open in this process until the
    cycle they form is collected."""
    res = CliRunner().invoke(main, [str(a) for a in args])
    ran = Ran(res.exit_code, res.stderr)
    del res
    gc.collect()
    return ran


def store_quads(path: Path) -> set[str]:
    store = KGStore(path, read_only=True)
    try:
        return {str(q) for q in store.store}
    finally:
        del store


def stored_texts(path: Path) -> dict[str, str]:
    """Article identifier -> the content text the store holds."""
    store = KGStore(path, read_only=True)
    rows = store.query(f"""SELECT ?id ?c WHERE {{ ?a a <{NKG}Article> ;
        <http://purl.org/dc/terms/identifier> ?id ; <{NKG}content> ?c }}""")
    return {r["id"].value: r["c"].value for r in rows}


@pytest.fixture()
def seeded(tmp_path) -> tuple[Path, set[str]]:
    """A store holding two sample articles, and its quads before the bad build."""
    store = tmp_path / "store"
    res = kg("build", *sample_files()[:2], "--store", store, "-q")
    assert res.exit_code == 0, res.stderr
    before = store_quads(store)
    assert len(before) > 100
    return store, before


def assert_kept(store: Path, before: set[str]) -> None:
    lost = before - store_quads(store)
    assert not lost, f"{len(lost)} quads lost, e.g. {sorted(lost)[:3]}"


# ---------------------------------------------------------------- a bag of bad files

def test_bad_files_are_named_with_their_reason_and_the_rest_is_built(seeded, tmp_path):
    store, before = seeded
    bag = tmp_path / "bag"
    write(bag / "a_strike.txt", STRIKE)
    write(bag / "b_students.txt", STUDENTS)
    rng = random.Random(7)
    bad = {
        "empty.txt": (b"", "no article text found"),
        "blank.txt": ("  \n\t\n\n   \n", "no article text found"),
        "blob.txt": (bytes(rng.randrange(256) for _ in range(4000)) + b"\x00", "binary data, not text"),
        "photo.txt": (b"\x89PNG\r\n\x1a\n" + bytes(200), "binary data (a PNG image), not text"),
        "scan.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n4 0 obj\n<< /Length 5 >>\n", "binary data (a PDF document), not text"),
        "noise.txt": (bytes(rng.randrange(0x80, 0x100) for _ in range(3000)),
                      "not UTF-8 text, nor any encoding that could be recognised"),
        "menu.txt": ("Home | World | Europe | Sport\nSubscribe\nSign in\n", "no article text found"),
        "scripts_only.html": ('<html><head><script>var a = "The minister said talks had failed.";</script>'
                              '</head><body><script>document.write("<p>All of it is drawn by script, '
                              'the minister said.</p>")</script></body></html>',
                              "no article text found in the HTML"),
    }
    for name, (content, _) in bad.items():
        write(bag / name, content)
    huge = bag / "huge.txt"  # 50 MB, sparse: refused from its size, never read
    with open(huge, "wb") as fh:
        fh.truncate(50 * MB)
    fifo = tmp_path / "pipe.txt"  # reading it would wait forever
    os.mkfifo(fifo)
    missing = tmp_path / "gone" / "nowhere.txt"

    res = kg("build", bag, fifo, missing, "--store", store, "-q")

    assert res.exit_code == 1
    for name, (_, reason) in bad.items():
        assert f"error: {bag / name}: {reason}" in res.stderr, name
    assert f"error: {huge}: too large (50.0 MB; the limit is 20 MB, raise it with --max-size)" in res.stderr
    assert f"error: {fifo}: not a regular file" in res.stderr
    assert f"error: {missing}: no such file or folder" in res.stderr
    failed = len(bad) + 3
    assert f"built 2 article(s), 0 unchanged, {failed} failed" in res.stderr
    assert res.stderr.count("error: ") == failed
    assert_kept(store, before)
    texts = stored_texts(store)
    assert {"a_strike.txt", "b_students.txt"} <= set(texts)
    assert len(texts) == 4


def test_a_store_that_is_not_a_store_is_refused_untouched(tmp_path):
    docs = write(tmp_path / "Documents" / "notes.odt", b"PK\x03\x04 not an article store")
    res = kg("build", *sample_files()[:1], "--store", docs.parent, "-q")
    assert res.exit_code != 0
    assert f"{docs.parent} is not a store: it holds other files" in res.stderr
    assert [p.name for p in docs.parent.iterdir()] == ["notes.odt"]
    res = kg("build", *sample_files()[:1], "--store", docs, "-q")
    assert res.exit_code != 0 and "is a file" in res.stderr
    res = kg("query", "SELECT * WHERE { ?s ?p ?o }", "--store", tmp_path / "nothing")
    assert res.exit_code != 0 and "no store at" in res.stderr


def test_an_unexpected_failure_on_one_file_does_not_end_the_build(seeded, tmp_path, monkeypatch):
    import trafilatura

    def choke(html: str, **_):
        raise RuntimeError("parser gave up")

    monkeypatch.setattr(trafilatura, "bare_extraction", choke)
    store, before = seeded
    page = write(tmp_path / "in" / "a_page.html", SCRIPTED_PAGE)
    write(tmp_path / "in" / "b_strike.txt", STRIKE)
    res = kg("build", tmp_path / "in", "--store", store, "-q")
    assert res.exit_code == 1
    assert f"error: {page}: could not be read (RuntimeError: parser gave up)" in res.stderr
    assert "built 1 article(s), 0 unchanged, 1 failed" in res.stderr
    assert "b_strike.txt" in stored_texts(store)
    assert_kept(store, before)


# ---------------------------------------------------------------- encodings

def test_cp1251_and_latin1_are_read_with_a_warning_naming_the_encoding(seeded, tmp_path):
    store, before = seeded
    ru = write(tmp_path / "in" / "ru_strike.txt", CYRILLIC.encode("cp1251"))
    west = write(tmp_path / "in" / "ministers.txt", ACCENTS.encode("latin-1"))
    res = kg("build", tmp_path / "in", "--store", store, "-q")
    assert res.exit_code == 0, res.stderr  # warnings do not fail a build
    assert f"warning: {ru}: not UTF-8; read as cp1251 (detected)" in res.stderr
    assert f"warning: {west}: not UTF-8; read as cp1252 (detected" in res.stderr
    assert "2 warning(s)" in res.stderr
    texts = stored_texts(store)
    assert "Сотни рабочих Минского тракторного завода" in texts["ru_strike.txt"]
    assert "Michèle Durand and German envoy Jürgen Müller met Spain's José García" in texts["ministers.txt"]
    assert_kept(store, before)


def test_an_html_page_in_its_declared_charset_is_read_without_a_warning(tmp_path):
    head, *paras = CYRILLIC.strip().splitlines()
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            f"<title>{head}</title></head><body><article><h1>{head}</h1>"
            + "".join(f"<p>{p}</p>" for p in paras) + "</article></body></html>")
    path = write(tmp_path / "in" / "zavod.html", page.encode("cp1251"))
    res = kg("build", path, "--store", tmp_path / "store", "-q")
    assert res.exit_code == 0 and "warning:" not in res.stderr, res.stderr
    assert "Сотни рабочих Минского тракторного завода" in stored_texts(tmp_path / "store")["zavod.html"]


def test_broken_utf8_bytes_are_replaced_and_byte_order_marks_honoured(tmp_path):
    cut = STRIKE.replace("Tractor Works", "Tractor Works (МТЗ)").encode("utf-8")
    cut = cut.replace("З".encode("utf-8"), "З".encode("utf-8")[:1])  # a character cut in two
    write(tmp_path / "in" / "cut.txt", cut)
    write(tmp_path / "in" / "utf16.txt", STUDENTS.encode("utf-16"))
    store = tmp_path / "store"
    res = kg("build", tmp_path / "in", "--store", store, "-q")
    assert res.exit_code == 0, res.stderr
    assert f"warning: {tmp_path / 'in' / 'cut.txt'}: 1 byte sequence(s) not valid UTF-8" in res.stderr
    assert res.stderr.count("warning:") == 1
    texts = stored_texts(store)
    assert "Minsk Tractor Works (МТ\ufffd)" in texts["cut.txt"]
    assert texts["utf16.txt"].startswith("Hundreds of students marched")


def test_encoding_option_and_ambiguous_encodings(tmp_path, monkeypatch):
    koi = write(tmp_path / "koi" / "koi8.txt", CYRILLIC.encode("koi8-r"))
    res = kg("build", koi, "--encoding", "koi8-r", "--store", tmp_path / "s1", "-q")
    assert res.exit_code == 0 and "warning:" not in res.stderr, res.stderr
    assert "Сотни рабочих" in stored_texts(tmp_path / "s1")["koi8.txt"]
    # a byte cp1252 leaves undefined: the named encoding does not fit
    odd = write(tmp_path / "odd" / "odd.txt", STRIKE.encode("ascii") + b"Caf\x81 owners agreed.\n")
    res = kg("build", odd, "--encoding", "cp1252", "--store", tmp_path / "s2", "-q")
    assert res.exit_code == 1 and f"error: {odd}: not cp1252 text" in res.stderr
    assert kg("build", odd, "--encoding", "klingon").exit_code == 2
    # when code pages read a text equally well but differently and none is preferred,
    # the file is refused rather than built with wrong letters
    monkeypatch.setattr("kg.decoding.PREFERRED", ())
    west = write(tmp_path / "west" / "ministers.txt", ACCENTS.encode("latin-1"))
    res = kg("build", west, "--store", tmp_path / "s3", "-q")
    assert res.exit_code == 1
    assert f"error: {west}: not UTF-8, and its encoding is ambiguous (" in res.stderr
    assert "name it with --encoding" in res.stderr


# ---------------------------------------------------------------- HTML full of scripts

SCRIPT_SENTENCES = [
    "Officials said the plant was working normally.",
    "The ministry declared that every striker had been fired on the spot.",
    "The opposition leader said she would return.",
    "Police announced that the square had been cleared by noon.",
    "The president said the workers were paid agitators.",
    "The committee said its leaders had been detained.",
    "The European Union said it would impose sanctions next week.",
]
SCRIPTED_PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Strike committee formed at potash plant</title>
<script>var t = {{id: 1}}; function track() {{ console.log("{SCRIPT_SENTENCES[0]}"); }}</script>
<script type="application/ld+json">{{"@type": "NewsArticle", "articleBody": "{SCRIPT_SENTENCES[1]}"}}</script>
<style>.lead:before {{ content: "{SCRIPT_SENTENCES[2]}"; }}</style>
</head><body onload="track()">
<script>document.write("<p>{SCRIPT_SENTENCES[3]}</p>");</script>
<article><h1>Strike committee formed at potash plant</h1>
<p>Workers at the potash plant in Salihorsk formed a strike committee on Tuesday, saying they would stop work until the authorities agreed to a new vote.</p>
<script>window.slot("mid"); /* {SCRIPT_SENTENCES[4]} */</script>
<p onclick="alert('{SCRIPT_SENTENCES[5]}')">The committee's chairman told reporters that several hundred miners had signed a petition calling for the release of detained protesters.</p>
<p>Plant managers said output had not been affected and that most shifts had reported for work as usual.</p>
<script src="/ads.js"></script></article>
<script>(function () {{ var s = "{SCRIPT_SENTENCES[6]}"; }})();</script>
</body></html>
"""


def test_scripts_never_become_article_text(tmp_path):
    """The same scripted page as .html, saved as .txt, and inside a JSON record."""
    corpus = tmp_path / "in"
    write(corpus / "page.html", SCRIPTED_PAGE)
    write(corpus / "saved.txt", SCRIPTED_PAGE.replace("Workers at the potash", "Miners at the potash"))
    write(corpus / "feed.jsonl", json.dumps({"id": "feed-1", "text": SCRIPTED_PAGE.replace(
        "Workers at the potash", "Employees at the potash")}) + "\n")
    store = tmp_path / "store"
    res = kg("build", corpus, "--store", store, "-q")
    assert res.exit_code == 0, res.stderr
    texts = stored_texts(store)
    assert sorted(texts) == ["feed-1", "page.html", "saved.txt"]
    for ident, text in texts.items():
        assert "formed a strike committee on Tuesday" in text, ident
        assert "output had not been affected" in text, ident
        for leaked in [*SCRIPT_SENTENCES, "console.log", "document.write", "function", "{"]:
            assert leaked not in text, (ident, leaked)
    everything = "\n".join(store_quads(store))
    for leaked in SCRIPT_SENTENCES:
        assert leaked not in everything


# ---------------------------------------------------------------- JSON Lines

def test_jsonl_good_lines_built_and_each_bad_line_named(seeded, tmp_path):
    store, before = seeded
    body = lambda text: text.split("\n", 1)[1]  # noqa: E731 - the article without its headline
    lines = [
        json.dumps({"id": "strike", "text": body(STRIKE)}),                   # 1 good
        '{"id": "cut", "text": "Police in Minsk',                             # 2 broken JSON
        json.dumps(["not", "an", "object"]),                                  # 3
        json.dumps({"title": "A headline without a text"}),                   # 4
        json.dumps({"id": "n", "text": 42}),                                  # 5
        "",                                                                   # 6 blank: skipped
        '{"id": "bin", "text": "\x00\x01\x02"}',                              # 7 binary
        json.dumps({"id": "emoji", "text": body(STUDENTS).rstrip() + " Pictures \ud83d were shared."}),  # 8 lone surrogate
        "[" * 100_000 + "]" * 100_000,                                        # 9 nested too deep
    ]
    data = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n"
    data += json.dumps({"id": "latin", "text": body(ACCENTS)}, ensure_ascii=False).encode("latin-1") + b"\n"  # 10
    data += b'{"id": "truncated", "text": "The record was cut off by a full di'    # 11, no newline
    feed = write(tmp_path / "feed.jsonl", data)
    res = kg("build", feed, "--store", store, "-q")
    assert res.exit_code == 1
    expected = {2: "not a JSON object", 3: 'no "text" field', 4: 'no "text" field', 5: 'no "text" field',
                7: "binary data, not text", 9: "not a JSON object", 11: "not a JSON object"}
    for lineno, reason in expected.items():
        assert f"error: {feed}:{lineno}: {reason}" in res.stderr, lineno
    assert res.stderr.count("error: ") == len(expected)
    assert f"warning: {feed}:10: not UTF-8; read as cp1252" in res.stderr
    assert f"built 3 article(s), 0 unchanged, {len(expected)} failed" in res.stderr
    texts = stored_texts(store)
    assert texts["emoji"].endswith("witnesses said. Pictures \ufffd were shared.")
    assert "José García" in texts["latin"]
    assert texts["strike"] == body(STRIKE).strip().replace("\n", "\n\n")
    assert_kept(store, before)


# ---------------------------------------------------------------- the same article twice

def test_the_same_article_twice_is_built_once(seeded, tmp_path):
    store, before = seeded
    corpus = tmp_path / "in"
    first = write(corpus / "a_strike.txt", STRIKE)
    copy = write(corpus / "b_strike_copy.txt", STRIKE)  # saved twice under another name
    feed = write(corpus / "c_feed.jsonl", "\n".join(
        json.dumps({"id": f"wire-{i}", "text": STRIKE}) for i in (1, 2)) + "\n")
    res = kg("build", corpus, first, "--store", store, "-q")
    assert res.exit_code == 0, res.stderr
    assert f"warning: {copy}: same text as {first}; skipped" in res.stderr
    assert f"warning: {feed}:1: same text as {first}; skipped" in res.stderr
    assert f"warning: {feed}:2: same text as {first}; skipped" in res.stderr
    assert f"warning: {first}: given more than once; read once" in res.stderr
    assert "built 1 article(s), 0 unchanged, 0 failed, 4 warning(s)" in res.stderr
    texts = stored_texts(store)
    assert [i for i, t in texts.items() if "Tractor Works" in t] == ["a_strike.txt"]
    assert_kept(store, before)


def test_an_article_already_stored_under_another_name_is_not_built_again(seeded, tmp_path):
    store, before = seeded
    sample = sample_files()[0]
    copy = write(tmp_path / "later" / "saved_again.txt", sample.read_bytes())
    res = kg("build", copy, "--store", store, "-q")
    assert res.exit_code == 0, res.stderr
    assert f"warning: {copy}: same text as article {sample.name!r} in the store; skipped" in res.stderr
    assert "built 0 article(s)" in res.stderr
    assert store_quads(store) == before


def test_two_articles_with_one_name_the_second_is_refused(seeded, tmp_path):
    store, before = seeded
    one = write(tmp_path / "desk1" / "report.txt", STRIKE)
    two = write(tmp_path / "desk2" / "report.txt", STUDENTS)
    res = kg("build", one, two, "--store", store, "-q")
    assert res.exit_code == 1
    assert f"error: {two}: duplicate article identifier 'report.txt'; skipped" in res.stderr
    assert "Tractor Works" in stored_texts(store)["report.txt"]
    assert_kept(store, before)


def test_identifiers_that_mint_one_graph_never_replace_each_other(seeded, tmp_path):
    """"2020/08/10" and "2020-08-10" give one graph IRI: the second is refused, in the
    same build or a later one, instead of silently replacing the first."""
    store, before = seeded
    feed = write(tmp_path / "feed.jsonl", json.dumps({"id": "minsk/2020/08/10", "text": STRIKE}) + "\n"
                 + json.dumps({"id": "minsk-2020-08-10", "text": STUDENTS}) + "\n")
    res = kg("build", feed, "--store", store, "-q")
    assert res.exit_code == 1
    assert (f"error: {feed}:2: identifier 'minsk-2020-08-10' gives the same graph IRI as article "
            "'minsk/2020/08/10'; skipped (give it another id)") in res.stderr
    later = write(tmp_path / "later.jsonl", json.dumps({"id": "minsk 2020 08 10", "text": STUDENTS}) + "\n")
    res = kg("build", later, "--store", store, "-q")
    assert res.exit_code == 1
    assert f"error: {later}:1: identifier 'minsk 2020 08 10' gives the same graph IRI" in res.stderr
    texts = stored_texts(store)
    assert "Tractor Works" in texts["minsk/2020/08/10"] and "minsk-2020-08-10" not in texts
    assert_kept(store, before)


# ---------------------------------------------------------------- size

def _feed_with_a_giant_line(path: Path, giant_mb: int) -> Path:
    """Two good records around one record of ``giant_mb`` MB, written in chunks."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "before", "text": STRIKE}) + "\n")
        fh.write('{"id": "giant", "text": "')
        chunk = "Crowds gathered again in the capital. " * 1000
        for _ in range(giant_mb * MB // len(chunk) + 1):
            fh.write(chunk)
        fh.write('"}\n')
        fh.write(json.dumps({"id": "after", "text": STUDENTS}) + "\n")
    return path


def test_a_50mb_json_line_is_refused_and_the_others_built(seeded, tmp_path):
    store, before = seeded
    feed = _feed_with_a_giant_line(tmp_path / "feed.jsonl", 50)
    res = kg("build", feed, "--store", store, "-q")
    assert res.exit_code == 1
    assert f"error: {feed}:2: too large (50.0 MB; the limit is 20 MB, raise it with --max-size)" in res.stderr
    assert "built 2 article(s), 0 unchanged, 1 failed" in res.stderr
    assert {"before", "after"} <= set(stored_texts(store))
    assert_kept(store, before)


def test_reading_a_giant_line_takes_bounded_memory(tmp_path):
    feed = _feed_with_a_giant_line(tmp_path / "feed.jsonl", 50)
    tracemalloc.start()
    try:
        items = list(read_articles([feed], ReadOptions(max_bytes=2 * MB)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [getattr(i, "identifier", None) for i in items] == ["before", None, "after"]
    assert isinstance(items[1], Problem) and items[1].reason.startswith("too large (50.0 MB; the limit is 2 MB")
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB while skipping a 50 MB line"


def test_max_size_option_and_overlong_text(tmp_path):
    page = write(tmp_path / "long.txt", "".join(
        f"Report {i} says the protests in Minsk went on through the night.\n" for i in range(4000)))
    assert page.stat().st_size > 200_000
    res = kg("build", page, "--max-size", "0.1", "--store", tmp_path / "s", "-q")
    assert res.exit_code == 1
    size = f"{page.stat().st_size / MB:.1f} MB"
    assert f"error: {page}: too large ({size}; the limit is 0.1 MB, raise it with --max-size)" in res.stderr
    res = kg("build", page, "--store", tmp_path / "s2", "-q")
    assert res.exit_code == 1
    assert f"error: {page}: article text too long (" in res.stderr
    assert "characters; the limit is 200,000): split it into articles" in res.stderr

