"""kg.clean.clean_page: page furniture out, article paragraphs in, verbatim.

All page texts here are written for these tests.
"""
from __future__ import annotations

import pytest

from kg.clean import clean_page, is_sentence_line

LEAD = ("Tens of thousands of people marched through central Minsk on Sunday, demanding "
        "that the long-serving president step down after a vote they say was rigged.")
SECOND = "Organisers said the march was the largest the country had seen since independence."
THIRD = "Police kept their distance for most of the afternoon, according to witnesses."
CAPTION = "Marchers carry red-and-white flags past the war memorial on Sunday."
CREDITED = "Protesters fill a wide avenue near the city centre."

PAGE = f"""Minsk Morning Ledger
Home  World  Europe  Belarus
Skip to main content
Breaking News
World > Europe > Crowds fill central Minsk for a second weekend
Crowds fill central Minsk for a second weekend
4 min read

Tens of thousands of people marched through central Minsk on Sunday, demanding
that the long-serving president step down after a vote they say was rigged.

{CAPTION}
{CAPTION}
Protesters fill a wide avenue near the city centre. (File Photo: Ivan Petrov)

Video: drone footage of the march
Please wait
0:00 0:01:10 0:00
Advertisement
Click here to get our free newsletter for the latest on the region.

A record crowd
{SECOND}
{THIRD}

With reporting by Olga Smirnova in Minsk
Read more: Minsk metro stations closed
Workers walk out at tractor plant
© 2020 Minsk Morning Ledger. All rights reserved.
• Privacy
• Contact us
"""


@pytest.fixture(scope="module")
def page():
    return clean_page(PAGE)


def paragraphs(page):
    return page.text.split("\n\n")


def test_content_paragraphs_survive_verbatim(page):
    paras = paragraphs(page)
    for para in (LEAD, SECOND, THIRD, CAPTION, CREDITED):
        assert para in paras, para
    # and in page order
    assert paras.index(LEAD) < paras.index(CAPTION) < paras.index(SECOND) < paras.index(THIRD)


def test_hard_wrapped_lines_rejoined(page):
    assert LEAD in page.text
    assert "demanding\nthat" not in page.text


def test_menus_banners_and_video_player_dropped(page):
    for junk in ("Home", "Skip to main content", "Breaking News", "4 min read",
                 "drone footage", "Please wait", "0:00", "0:01:10", "Advertisement"):
        assert junk not in page.text, junk


def test_repeated_caption_kept_once(page):
    assert page.text.count(CAPTION) == 1


def test_breadcrumb_dropped_and_headline_is_title(page):
    assert page.title == "Crowds fill central Minsk for a second weekend"
    assert "World > Europe" not in page.text
    assert all("World > Europe" not in line for line in page.header_lines)


def test_footer_cut_after_reporting_line(page):
    for junk in ("With reporting by", "Olga Smirnova", "Read more", "tractor plant",
                 "All rights reserved", "Privacy", "Contact us"):
        assert junk not in page.text, junk
    assert page.footer.startswith("With reporting by Olga Smirnova")
    assert "© 2020 Minsk Morning Ledger. All rights reserved." in page.footer
    assert page.text.endswith(THIRD)


def test_reader_prompts_dropped(page):
    assert "Click here" not in page.text
    assert "newsletter" not in page.text


def test_inline_photo_credit_removed(page):
    assert "File Photo" not in page.text
    assert "Ivan Petrov" not in page.text
    assert CREDITED in paragraphs(page)


def test_subheading_without_sentence_punctuation_dropped(page):
    assert "A record crowd" not in page.text


def test_copyright_footer_and_bullets_cut_without_reporting_line():
    raw = (
        "Belarus opposition figure leaves for Lithuania\n"
        "Opposition candidate Svetlana Tikhanovskaya left Belarus for neighbouring Lithuania "
        "on Tuesday, her campaign said.\n"
        "Her allies said she had been put under heavy pressure by officials before she left.\n"
        "Lithuanian officials confirmed that she was safe in Vilnius.\n"
        "Copyright 2020 Vilnia Daily News\n"
        "• Terms of use\n"
        "• Write to the editors.\n"
    )
    page = clean_page(raw)
    assert page.text.endswith("Lithuanian officials confirmed that she was safe in Vilnius.")
    assert "Copyright" not in page.text
    assert "editors" not in page.text
    assert page.title == "Belarus opposition figure leaves for Lithuania"


def test_crlf_nbsp_and_bom_normalised():
    raw = ("\ufeffStrike called at potash mines across Belarus\r\n"
           "Workers\u00a0at the state potash producer stopped work on Monday, a union "
           "leader said.\r\n")
    page = clean_page(raw)
    assert page.text == ("Workers at the state potash producer stopped work on Monday, "
                         "a union leader said.")
    assert "\r" not in page.text and "\ufeff" not in page.text


def test_page_without_content():
    page = clean_page("Home  World  Europe\nBreaking News\n0:00 0:02:14 0:00\n")
    assert page.text == ""


@pytest.mark.parametrize("line,expected", [
    ("The opposition called for a general strike on Monday.", True),
    ('"We will not leave," the candidate told reporters.', True),
    ("Crowds fill central Minsk again", False),  # a headline
    ("Related coverage:", False),
    ("Read more.", False),  # too short to be a paragraph
])
def test_is_sentence_line(line, expected):
    assert is_sentence_line(line) is expected
