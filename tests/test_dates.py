"""kg.dates: parsing metadata dates and resolving the dates an article's text gives."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from kg.dates import DateResolver, dateline, find_publication, parse_date

THURSDAY = date(2020, 9, 3)  # a Thursday
MONDAY = date(2020, 8, 31)


@pytest.mark.parametrize("value,expected", [
    ("2020-09-03", date(2020, 9, 3)),
    ("2020-09-03T22:15:00Z", date(2020, 9, 3)),
    ("2020-09-03T10:15:00+03:00", date(2020, 9, 3)),
    (datetime(2020, 9, 3, 23, 59, tzinfo=timezone.utc), date(2020, 9, 3)),
    (date(2020, 9, 3), date(2020, 9, 3)),
    ("Sept. 3, 2020", date(2020, 9, 3)),
    ("September 3, 2020", date(2020, 9, 3)),
    ("3 September 2020", date(2020, 9, 3)),
    ("Published: Thursday, Sep 3 2020, 10:00", date(2020, 9, 3)),
    ("06.10.2020, 17:42", date(2020, 10, 6)),  # dotted dates are day-first
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [None, "", "September 3", "last week", "2020-02-30", "soon"])
def test_parse_date_gives_none_without_a_full_date(value):
    assert parse_date(value) is None


# ---------------------------------------------------------------- month and day

def test_month_day_with_known_year():
    r = DateResolver(published=None, exact=False, year=2020)
    assert r.resolve("September 3") == date(2020, 9, 3)
    assert r.resolve("3 Sept.") == date(2020, 9, 3)


def test_month_day_with_year_in_expression():
    r = DateResolver(published=None, exact=False, year=None)
    assert r.resolve("September 3, 2021") == date(2021, 9, 3)


def test_month_day_without_any_year_is_none():
    r = DateResolver(published=None, exact=False, year=None)
    assert r.resolve("September 3", "Protesters gathered on September 3 in Minsk.") is None


def test_election_day_resolved_by_known_event_without_year():
    r = DateResolver(published=None, exact=False, year=None)
    context = "the opposition says the presidential election on August 9 was rigged"
    assert r.resolve("August 9", context) == date(2020, 8, 9)
    # the same day without election words is not that event
    assert r.resolve("August 9", "crowds gathered in the capital on August 9") is None


@pytest.mark.parametrize("published,expr,expected", [
    (date(2021, 1, 4), "December 30", date(2020, 12, 30)),
    (date(2020, 12, 30), "January 2", date(2021, 1, 2)),
    (date(2020, 9, 3), "August 31", date(2020, 8, 31)),
])
def test_month_day_nearest_to_publication_across_new_year(published, expr, expected):
    r = DateResolver(published=published, exact=True, year=published.year)
    assert r.resolve(expr) == expected


# ---------------------------------------------------------------- weekdays

def test_weekday_before_exact_publication():
    r = DateResolver(published=THURSDAY, exact=True, year=2020)
    assert r.resolve("on Monday", "Workers walked out on Monday.") == date(2020, 8, 31)
    assert r.resolve("Thursday", "Police detained him on Thursday.") == THURSDAY
    assert r.resolve("last Thursday", "He was detained last Thursday.") == date(2020, 8, 27)


def test_weekday_in_future_context_is_after_publication():
    r = DateResolver(published=THURSDAY, exact=True, year=2020)
    assert r.resolve("on Monday", "The foreign ministers will meet on Monday.") == date(2020, 9, 7)
    assert r.resolve("next Monday", "") == date(2020, 9, 7)


def test_relative_days():
    r = DateResolver(published=THURSDAY, exact=True, year=2020)
    assert r.resolve("yesterday") == date(2020, 9, 2)
    assert r.resolve("today") == THURSDAY
    assert r.resolve("tomorrow") == date(2020, 9, 4)


def test_weekday_needs_exact_publication():
    inferred = DateResolver(published=THURSDAY, exact=False, year=2020)
    assert inferred.resolve("on Monday", "Workers walked out on Monday.") is None
    assert inferred.resolve("yesterday") is None
    unknown = DateResolver(published=None, exact=False, year=2020)
    assert unknown.resolve("on Monday") is None


@pytest.mark.parametrize("expr", ["last week", "earlier this month", "recently", "in the summer"])
def test_vague_expressions_give_none(expr):
    r = DateResolver(published=THURSDAY, exact=True, year=2020)
    assert r.resolve(expr) is None


def test_iso_in_text():
    r = DateResolver(published=None, exact=False, year=None)
    assert r.resolve("2020-11-13") == date(2020, 11, 13)


# ---------------------------------------------------------------- publication

def test_dateline_weekday_fixes_missing_year():
    assert dateline("Tuesday 29 September", 2020) == date(2020, 9, 29)
    assert dateline("Tuesday 29 September", None) is None
    assert dateline("Monday 29 September", 2020) is None  # no nearby year fits
    assert dateline("13 November 2020", None) == date(2020, 11, 13)
    assert dateline("By our Minsk staff", 2020) is None


def test_find_publication_published_line_wins():
    pub = find_publication("Officials met on August 30, 2020, to discuss the crisis.",
                           ("Menu", "Published September 1, 2020 at 10:02"))
    assert (pub.date, pub.source, pub.year) == (date(2020, 9, 1), "page", 2020)


def test_find_publication_skips_future_dates():
    text = ("The union announced a strike on August 20, 2020. The walkout is "
            "scheduled to begin on August 25.")
    pub = find_publication(text)
    assert pub.date == date(2020, 8, 20) and pub.source == "text"


def test_find_publication_never_invents():
    pub = find_publication("Protesters gathered again on Sunday, as they did on August 16.")
    assert pub.date is None and pub.source is None and pub.year is None
