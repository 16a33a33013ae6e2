#!/usr/bin/env python3
"""Sanity-check the sample corpus gold files.

    python samples/check_gold.py

For every samples/gold/*.json: it parses, has the required keys, names an existing
article, and every statement "quote" and every event/sanction "evidence" occurs
verbatim in that article (after whitespace normalisation). Speakers, participants,
imposers and targets must be declared as persons or governments of the same file.
Exits 1 on any problem.
"""
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ARTICLES = os.path.join(HERE, "belarus2020")
GOLD = os.path.join(HERE, "gold")
TOP = {"article", "published", "persons", "governments", "statements", "events", "sanctions"}
KEYS = {"persons": {"name", "aliases"}, "governments": {"name", "aliases", "country"},
        "statements": {"speaker", "kind", "quote"},
        "events": {"type", "date", "place", "participants", "evidence"},
        "sanctions": {"imposer", "target", "status", "evidence"}}
TYPES = {"Election", "Protest", "Strike", "Meeting", "PhoneCall", "Visit", "Interview", "Detention",
         "LegalAction", "Release", "Appointment", "Crackdown", "MilitaryActivity"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def ws(text):
    return re.sub(r"\s+", " ", text).strip()


def main():
    problems = []
    files = sorted(glob.glob(os.path.join(GOLD, "*.json")))
    for path in files:
        name = os.path.basename(path)
        try:
            gold = json.load(open(path, encoding="utf-8"))
        except json.JSONDecodeError as exc:
            problems.append(f"{name}: invalid JSON: {exc}")
            continue
        if set(gold) != TOP:
            problems.append(f"{name}: top-level keys {sorted(gold)}")
            continue
        if gold["article"] != name[:-5] + ".txt":
            problems.append(f"{name}: article field {gold['article']!r}")
        txt = os.path.join(ARTICLES, gold["article"])
        if not os.path.exists(txt):
            problems.append(f"{name}: missing article {gold['article']}")
            continue
        text = ws(open(txt, encoding="utf-8").read())
        if gold["published"] is not None and not DATE.match(gold["published"]):
            problems.append(f"{name}: bad published {gold['published']!r}")
        for kind, keys in KEYS.items():
            for item in gold[kind]:
                if not keys <= set(item):
                    problems.append(f"{name}: {kind} item lacks {sorted(keys - set(item))}")
        known = {e["name"] for e in gold["persons"] + gold["governments"]}
        for s in gold["statements"]:
            if s["kind"] not in ("direct", "indirect"):
                problems.append(f"{name}: bad kind {s['kind']!r}")
            if len(s["quote"].split()) < 5:
                problems.append(f"{name}: quote under five words: {s['quote']!r}")
            if ws(s["quote"]) not in text:
                problems.append(f"{name}: quote not in article: {s['quote']!r}")
            if s["speaker"] not in known:
                problems.append(f"{name}: unknown speaker {s['speaker']!r}")
        for e in gold["events"]:
            if e["type"] not in TYPES:
                problems.append(f"{name}: bad event type {e['type']!r}")
            if e["date"] is not None and not DATE.match(e["date"]):
                problems.append(f"{name}: bad event date {e['date']!r}")
            if ws(e["evidence"]) not in text:
                problems.append(f"{name}: evidence not in article: {e['evidence']!r}")
            for p in e["participants"]:
                if p not in known:
                    problems.append(f"{name}: unknown participant {p!r}")
        for x in gold["sanctions"]:
            if x["status"] not in ("imposed", "planned", "supported"):
                problems.append(f"{name}: bad status {x['status']!r}")
            if ws(x["evidence"]) not in text:
                problems.append(f"{name}: evidence not in article: {x['evidence']!r}")
            for k in ("imposer", "target"):
                if x[k] not in known:
                    problems.append(f"{name}: unknown {k} {x[k]!r}")
    for txt in sorted(glob.glob(os.path.join(ARTICLES, "*.txt"))):
        if not os.path.exists(os.path.join(GOLD, os.path.basename(txt)[:-4] + ".json")):
            problems.append(f"{os.path.basename(txt)}: no gold file")
    for p in problems:
        print(p)
    print(f"{len(files)} gold files checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
