"""kg.readers.read_articles: files and folders in, Articles (or Problems) out.

All page texts here are written for these tests.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from conftest import write

from kg.readers import Problem, article_from_text, read_articles
from kg.records import Article

STRIKE = """Workers walk out at Minsk tractor plant
Hundreds of workers at the state-owned tractor plant in Minsk stopped work on Monday, August 17, 2020, to protest against the official election result.
Plant managers said production had not been affected, a claim the strikers disputed.
"""
PROTEST = """Students march in Minsk as term begins
Several hundred students marched through central Minsk on September 1, 2020, chanting slogans against the government.
Police detained a number of them near the main university building, witnesses said.
"""


def articles(items) -> list[Article]:
    return [x for x in items if isinstance(x, Article)]


def problems(items) -> list[Problem]:
    return [x for x in items if isinstance(x, Problem)]


# ---------------------------------------------------------------- text files and folders

def test_txt_identifier_is_file_name_without_folder(tmp_path):
    path = write(tmp_path / "deep" / "folder" / "007_strike.txt", STRIKE)
    [art] = list(read_articles([path]))
    assert isinstance(art, Article)
    assert art.identifier == "007_strike.txt"
    assert art.source == str(path)
    assert art.title == "Workers walk out at Minsk tractor plant"
    assert art.text.startswith("Hundreds of workers at the state-owned tractor plant")
    assert "Workers walk out" not in art.text


def test_folder_recursed_in_sorted_order(tmp_path):
    write(tmp_path / "b" / "02_second.txt", PROTEST)
    write(tmp_path / "a" / "z_first.txt", STRIKE)
    write(tmp_path / "a" / "sub" / "m_middle.txt", STRIKE.replace("Monday", "Tuesday"))
    write(tmp_path / "a" / "notes.md", "Not an article: markdown is not read.\n")
    write(tmp_path / "a" / ".hidden.txt", STRIKE)
    items = list(read_articles([tmp_path]))
    assert problems(items) == []
    assert [a.identifier for a in articles(items)] == ["m_middle.txt", "z_first.txt", "02_second.txt"]


def test_content_hash_depends_on_text_only(tmp_path):
    one = articles(read_articles([write(tmp_path / "x" / "one.txt", STRIKE)]))[0]
    two = articles(read_articles([write(tmp_path / "y" / "two.txt", STRIKE)]))[0]
    three = articles(read_articles([write(tmp_path / "three.txt", PROTEST)]))[0]
    assert one.content_hash == two.content_hash != three.content_hash
    assert one.content_hash.startswith("sha256:") and len(one.content_hash) == 7 + 64


# ---------------------------------------------------------------- HTML

HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Opposition council members questioned in Minsk</title>
<meta property="og:title" content="Opposition council members questioned in Minsk">
<meta property="article:published_time" content="2020-08-21T09:30:00+03:00">
<meta property="og:site_name" content="Pripyat Courier">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/europe">Europe</a></nav>
<article>
<h1>Opposition council members questioned in Minsk</h1>
<p>Investigators in Minsk on Friday summoned two members of the opposition's new Coordination Council for questioning, a day after prosecutors opened a criminal case against the body.</p>
<p>The council was set up this week by supporters of Svetlana Tikhanovskaya to negotiate a transfer of power after the disputed presidential vote.</p>
<p>Prosecutors say the council is an attempt to seize power unlawfully, a charge its members reject as absurd and politically motivated.</p>
<p>One of the members, a writer, said she had no intention of leaving the country and would keep working with the council.</p>
</article>
<footer><p>Contact the newsroom</p></footer>
</body></html>
"""


def test_html_title_date_and_text(tmp_path):
    path = write(tmp_path / "council.html", HTML)
    [art] = list(read_articles([path]))
    assert isinstance(art, Article), art
    assert art.identifier == "council.html"
    assert art.title == "Opposition council members questioned in Minsk"
    assert art.published == date(2020, 8, 21)
    assert art.published_source == "metadata"
    assert art.text.startswith("Investigators in Minsk on Friday summoned two members")
    assert "would keep working with the council." in art.text
    assert "Home" not in art.text and "Contact the newsroom" not in art.text


# ---------------------------------------------------------------- JSON Lines

def test_jsonl_fields_and_bad_lines(tmp_path):
    good1 = {"id": "strike-1", "title": "Tractor plant strike", "url": "https://news.example.org/strike",
             "published": "2020-08-17", "text": STRIKE.split("\n", 1)[1]}
    good2 = {"text": PROTEST.split("\n", 1)[1], "published": "2020-09-01T18:00:00Z"}
    lines = [json.dumps(good1), "{this is not json", json.dumps({"title": "no text here"}),
             "", json.dumps(good2)]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    items = list(read_articles([path]))
    arts, probs = articles(items), problems(items)
    assert [p.source for p in probs] == [f"{path}:2", f"{path}:3"]
    assert "JSON" in probs[0].reason
    assert '"text"' in probs[1].reason
    assert len(arts) == 2
    first, second = arts
    assert first.identifier == "strike-1"
    assert first.title == "Tractor plant strike"
    assert first.url == "https://news.example.org/strike"
    assert first.published == date(2020, 8, 17) and first.published_source == "metadata"
    assert first.text.startswith("Hundreds of workers")
    assert second.identifier == "batch.jsonl:5"
    assert second.published == date(2020, 9, 1)


# ---------------------------------------------------------------- problems

def test_non_utf8_file_is_read_with_a_warning_and_others_still_read(tmp_path, caplog):
    write(tmp_path / "a_good.txt", STRIKE)
    odd = write(tmp_path / "b_latin1.txt", "Protesters gathered in Minsk on Sunday, caf\xe9 owners said.\n"
                .encode("latin-1"))
    write(tmp_path / "c_good.txt", PROTEST)
    items = list(read_articles([tmp_path]))
    assert problems(items) == []
    assert [a.identifier for a in articles(items)] == ["a_good.txt", "b_latin1.txt", "c_good.txt"]
    assert "café owners" in articles(items)[1].text
    [warning] = caplog.messages
    assert warning.startswith(f"{odd}: not UTF-8; read as cp1252")


def test_empty_file_is_a_problem(tmp_path):
    empty = write(tmp_path / "empty.txt", "")
    [prob] = list(read_articles([empty]))
    assert isinstance(prob, Problem)
    assert prob.source == str(empty)
    assert "no article text" in prob.reason


def test_binary_file_is_a_problem(tmp_path):
    blob = write(tmp_path / "blob.txt", b"\x00\x01\x02binary\x00")
    [prob] = list(read_articles([blob]))
    assert isinstance(prob, Problem) and prob.source == str(blob) and "binary" in prob.reason


def test_missing_path_is_a_problem_and_does_not_stop_the_others(tmp_path):
    good = write(tmp_path / "good.txt", STRIKE)
    missing = tmp_path / "nowhere" / "gone.txt"
    items = list(read_articles([missing, good]))
    [prob] = problems(items)
    assert prob.source == str(missing)
    assert "no such file" in prob.reason
    assert [a.identifier for a in articles(items)] == ["good.txt"]


# ---------------------------------------------------------------- publisher

def test_publisher_from_copyright_footer():
    raw = (STRIKE + "Officials at the ministry declined to comment on the walkout.\n"
           "Related stories\n© 2020 Minsk Morning Ledger. All rights reserved.\n")
    art = article_from_text("f.txt", raw)
    assert art.publisher == "Minsk Morning Ledger"


def test_publisher_from_headline_agency_suffix():
    raw = ("Tractor plant workers walk out in Minsk: Eastwire\n" + STRIKE.split("\n", 1)[1])
    art = article_from_text("s.txt", raw)
    assert art.title == "Tractor plant workers walk out in Minsk: Eastwire"
    assert art.publisher == "Eastwire"


def test_publisher_from_metadata_title_suffix():
    art = article_from_text("m.txt", STRIKE.split("\n", 1)[1],
                            title="Tractor plant workers walk out in Minsk - Eastwire")
    assert art.publisher == "Eastwire"


def test_no_publisher_when_page_names_none():
    assert article_from_text("n.txt", STRIKE).publisher is None


# ---------------------------------------------------------------- publication date

def test_published_from_published_line():
    raw = ("Workers walk out at Minsk tractor plant\nPublished August 18, 2020 09:15\n"
           + STRIKE.split("\n", 1)[1])
    art = article_from_text("p.txt", raw)
    assert art.published == date(2020, 8, 18)
    assert art.published_source == "page"


def test_published_from_dateline():
    raw = "Workers walk out at Minsk tractor plant\n18 August 2020 | Updated 19 August 2020\n" \
          + STRIKE.split("\n", 1)[1]
    art = article_from_text("d.txt", raw)
    assert art.published == date(2020, 8, 18)
    assert art.published_source == "page"


def test_published_inferred_from_text_latest_past_date():
    raw = ("Opposition sets out demands\n"
           "Opposition leaders met in Minsk on August 16, 2020, to agree on a list of demands.\n"
           "Their council held its first session on August 19, a spokeswoman said.\n"
           "They will meet the country's labour unions on August 28, organisers said.\n")
    art = article_from_text("t.txt", raw)
    assert art.published == date(2020, 8, 19)  # not the future August 28
    assert art.published_source == "text"
    assert art.year_hint == 2020


def test_published_year_from_known_event_without_year():
    raw = ("Recount demanded\n"
           "Opposition supporters said the results of the August 9 presidential election had "
           "been falsified.\n")
    art = article_from_text("e.txt", raw)
    assert art.year_hint == 2020
    assert art.published == date(2020, 8, 9)


def test_published_absent_when_text_has_no_year():
    raw = ("Crowds again fill Minsk\n"
           "Protesters gathered on Sunday in central Minsk, as they did on August 16.\n"
           "Police watched from side streets and made few arrests, residents said.\n")
    art = article_from_text("n.txt", raw)
    assert art.published is None
    assert art.published_source is None
    assert art.year_hint is None


def test_metadata_date_wins_over_text():
    art = article_from_text("m.txt", STRIKE, published=date(2020, 8, 20))
    assert art.published == date(2020, 8, 20)
    assert art.published_source == "metadata"


def test_read_articles_on_sample_corpus_names_files(samples_dir):
    names = [p.name for p in sorted(Path(samples_dir).glob("*.txt"))]
    items = list(read_articles([samples_dir]))
    assert problems(items) == []
    assert [a.identifier for a in articles(items)] == names
    for art in articles(items):
        assert art.title and art.published and art.text
