"""Synthetic corpora for the benchmarks, made from the sample articles.

Each synthetic article takes the lead paragraph of one sample, then paragraphs
drawn from that sample and the others, some with a sentence swapped in from
elsewhere, some made of sentences from anywhere; it swaps a few gazetteer persons for others of the same gender (full
names and surnames), and moves the publication date by up to two months. So the
text reads like the corpus (the same constructions for the extractors) while names,
dates and sentence mixes vary from article to article.

Output: JSON Lines shards (``part-00000.jsonl`` ...), one article per line with
``id``, ``title``, ``published`` and ``text``; written as generated, never held whole.
Deterministic for a given seed. Run ``python benchmarks/synth.py N OUT_DIR``.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.gazetteer import Known, load  # noqa: E402
from kg.readers import read_articles  # noqa: E402
from kg.records import Article  # noqa: E402

SAMPLES = ROOT / "samples" / "belarus2020"
FULL = (9, 14)  # paragraphs per article: about the length of the samples (~500 words)
SHORT = (2, 2)  # ~100 words: the lead and one paragraph, for the growth series up to 100k
_SENTENCE_END = re.compile(r'(?:(?<=[.!?])|(?<=[.!?]["”]))\s+(?=["“]?[A-Z])')


@dataclass(frozen=True)
class Material:
    """What the generator recombines: sample articles split into paragraphs and
    sentences, and the gazetteer persons by gender."""

    articles: list[Article]
    paragraphs: list[list[str]]  # per sample, body paragraphs
    sentences: list[str]  # every sentence of every paragraph
    persons: dict[str, list[Known]]  # gender -> persons

    @classmethod
    def load(cls, samples: Path = SAMPLES) -> "Material":
        arts = [a for a in read_articles([samples]) if isinstance(a, Article)]
        paras = [[p.strip() for p in a.text.split("\n\n") if len(p.split()) >= 12] for a in arts]
        sentences = [s for ps in paras for p in ps for s in _SENTENCE_END.split(p) if len(s.split()) >= 6]
        persons: dict[str, list[Known]] = {}
        for known in load().entries.values():
            if known.kind == "Person" and known.gender and len(known.name.split()) >= 2:
                persons.setdefault(known.gender, []).append(known)
        return cls(arts, paras, sentences, persons)


def _forms(person: Known) -> tuple[list[str], list[str]]:
    """(full-name forms, surname forms) an article may use for a person."""
    full = [person.name, *(a for a in person.aliases if " " in a)]
    last = [person.name.split()[-1], *(a for a in person.aliases if " " not in a)]
    return full, last


def _swapper(mat: Material, rng: random.Random, pairs: int) -> tuple[re.Pattern, dict[str, str]] | None:
    """A substitution swapping ``pairs`` random pairs of same-gender persons."""
    table: dict[str, str] = {}
    for _ in range(pairs):
        gender = rng.choice(sorted(mat.persons))
        if len(mat.persons[gender]) < 2:
            continue
        a, b = rng.sample(mat.persons[gender], 2)
        for x, y in ((a, b), (b, a)):
            full_x, last_x = _forms(x)
            for form in full_x:
                table.setdefault(form, y.name)
            for form in last_x:
                table.setdefault(form, y.name.split()[-1])
    if not table:
        return None
    alternation = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b"), table


def article(mat: Material, k: int, seed: int = 0, paragraphs: tuple[int, int] = FULL) -> dict:
    """The ``k``-th synthetic article (a JSON-ready record)."""
    rng = random.Random(seed * 1_000_003 + k)
    base_i = k % len(mat.articles)
    base = mat.articles[base_i]
    own = mat.paragraphs[base_i]
    lo, hi = paragraphs
    body = [own[0]]
    for i in range(rng.randint(lo, hi) - 1):
        if i == 0 or rng.random() < 0.5:  # sentences from anywhere: no two articles alike
            body.append(" ".join(rng.choice(mat.sentences) for _ in range(rng.randint(2, 4))))
            continue
        pool = own[1:] if rng.random() < 0.6 else rng.choice(mat.paragraphs)
        para = rng.choice(pool)
        if rng.random() < 0.9:  # swap one sentence for one from anywhere in the corpus
            sents = _SENTENCE_END.split(para)
            sents[rng.randrange(len(sents))] = rng.choice(mat.sentences)
            para = " ".join(sents)
        body.append(para)
    text = "\n\n".join(body)
    title = base.title or body[0].split(".")[0]
    swap = _swapper(mat, rng, pairs=rng.randint(1, 3))
    if swap:
        pattern, table = swap
        text = pattern.sub(lambda m: table[m.group(0)], text)
        title = pattern.sub(lambda m: table[m.group(0)], title)
    published = base.published + timedelta(days=rng.randint(-60, 60)) if base.published else None
    return {"id": f"synth-{seed}-{k:07d}", "title": title,
            "published": published.isoformat() if published else None, "text": text}


def generate(n: int, out_dir: Path, *, seed: int = 0, paragraphs: tuple[int, int] = FULL,
             shard_size: int = 1000) -> Iterator[Path]:
    """Write ``n`` articles as JSON Lines shards under ``out_dir``; yields each shard."""
    mat = Material.load()
    out_dir.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, shard_size):
        path = out_dir / f"part-{start // shard_size:05d}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for k in range(start, min(n, start + shard_size)):
                fh.write(json.dumps(article(mat, k, seed, paragraphs), ensure_ascii=False) + "\n")
        yield path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of articles")
    ap.add_argument("out", type=Path, help="output folder (JSON Lines shards)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--paragraphs", default="%d-%d" % FULL, help="paragraphs per article, LO-HI")
    args = ap.parse_args()
    lo, hi = (int(x) for x in args.paragraphs.split("-"))
    for path in generate(args.n, args.out, seed=args.seed, paragraphs=(lo, hi)):
        print(path)


if __name__ == "__main__":
    main()
