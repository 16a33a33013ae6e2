"""``kg explain``: one article's facts, sentence by sentence, with their rules."""
from __future__ import annotations

from collections import defaultdict

from .pipeline import Builder
from .readers import Problem, read_articles


def explain(path: str, model: str | None = None) -> str:
    builder = Builder(model=model)
    lines: list[str] = []
    articles = []
    for item in read_articles([path]):
        if isinstance(item, Problem):
            lines.append(f"error: {item.source}: {item.reason}")
        else:
            articles.append(item)
    for ex in builder.extractions(articles):
        art = ex.article
        lines.append(f"# {art.identifier}: {art.title or '(no title)'}")
        lines.append(f"  published: {art.published or 'unknown'} ({art.published_source or 'not found'})"
                     f"  publisher: {art.publisher or 'unknown'}")
        lines.append("  entities: " + "; ".join(
            f"{e.kind} {e.name}" + (f" [wd:{e.wikidata}]" if e.wikidata else "")
            + "".join(f" ({p.title}{', ' + p.government if p.government else ''})" for p in e.positions)
            for e in ex.entities))
        by_sentence: dict[tuple[int, str], list[str]] = defaultdict(list)
        for st in ex.statements:
            by_sentence[(st.evidence.start, st.evidence.sentence)].append(
                f"Statement ({st.kind}) by {', '.join(st.speakers)}: \"{st.text[:100]}\""
                f"  <- {st.evidence.method}, confidence {st.evidence.confidence}")
        for ev in ex.events:
            by_sentence[(ev.evidence.start, ev.evidence.sentence)].append(
                f"Event {ev.type} date={ev.date or '-'} place={ev.place or '-'} "
                f"participants={', '.join(ev.participants) or '-'}  <- {ev.evidence.method}")
        for sa in ex.sanctions:
            by_sentence[(sa.evidence.start, sa.evidence.sentence)].append(
                f"Sanction ({sa.status}) by {', '.join(sa.imposers) or '?'} on {', '.join(sa.targets) or '?'}"
                f"  <- {sa.evidence.method}, confidence {sa.evidence.confidence}")
        for (start, sentence), facts in sorted(by_sentence.items()):
            lines.append(f"\n[{start}] {sentence}")
            lines.extend(f"  - {f}" for f in facts)
    return "\n".join(lines)
