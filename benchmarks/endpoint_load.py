"""Load test of the SPARQL endpoint: many clients, a query mix, for a fixed time.

Each client keeps one HTTP/1.1 connection and sends the example queries of
``kg/queries`` (plus an ASK and a CONSTRUCT) in turn, POSTed as forms, for the
given number of seconds; the report counts requests, errors (any status but 200,
or a broken connection), latency percentiles and, when the server's process is
known, its peak memory (the server and its query workers, summed).

    python benchmarks/endpoint_load.py --serve STORE [--clients 50] [--seconds 30]
    python benchmarks/endpoint_load.py --url http://127.0.0.1:8000/sparql

``--serve`` starts ``kg serve`` on a free loopback port itself (and stops it);
``--pathological N`` adds N clients that send a cartesian product which only the
time limit stops, to show the others are still served. Loopback only: the load
goes to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "PREFIX nkg: <https://w3id.org/newskg/ontology#>\n"
MIX = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "kg" / "queries").glob("*.rq"))] + [
    PREFIX + "ASK { ?s a nkg:Statement }",
    PREFIX + "CONSTRUCT { ?p a nkg:Person } WHERE { ?p a nkg:Person } LIMIT 50",
]
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Report:
    requests: int = 0
    errors: int = 0
    stopped: int = 0           #: pathological queries answered 503 by the time limit
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    peak_rss: int = 0          #: bytes, server and workers together (0: not measured)

    def line(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
        mem = f", peak RSS {self.peak_rss / 1e6:.0f} MB" if self.peak_rss else ""
        return (f"{self.requests} requests in {self.seconds:.1f} s = {self.requests / self.seconds:.0f}/s, "
                f"{self.errors} errors, {self.stopped} pathological stopped; latency ms p50 {p(0.5):.1f} "
                f"p99 {p(0.99):.1f} mean {statistics.fmean(lat) * 1000:.1f}{mem}")


def _client(endpoint: str, queries: list[str], seconds: float, report: Report, lock: threading.Lock,
            pathological: bool, offset: int) -> None:
    parts = urllib.parse.urlsplit(endpoint)
    assert parts.hostname in ("127.0.0.1", "localhost", "::1"), "load goes to loopback only"
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    end = time.monotonic() + seconds
    i = offset
    while time.monotonic() < end:
        body = urllib.parse.urlencode({"query": CARTESIAN if pathological else queries[i % len(queries)]})
        i += 1
        started = time.monotonic()
        try:
            conn.request("POST", parts.path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                                    "Accept": "application/sparql-results+json, text/turtle;q=0.9"})
            resp = conn.getresponse()
            resp.read()
            status = resp.status
        except OSError:
            status = 0
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        with lock:
            if pathological:
                report.stopped += status == 503
                report.errors += status not in (200, 503)
            else:
                report.requests += 1
                report.errors += status != 200
                report.latencies.append(time.monotonic() - started)
    conn.close()


def _rss(pid: int) -> int:
    """Resident memory of ``pid`` and its children (the query workers), in bytes."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def run_load(endpoint: str, clients: int = 50, seconds: float = 30.0, pathological: int = 0,
             server_pid: int | None = None) -> Report:
    report, lock = Report(), threading.Lock()
    threads = [threading.Thread(target=_client, args=(endpoint, MIX, seconds, report, lock, n < pathological, n))
               for n in range(clients + pathological)]
    started = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        if server_pid:
            report.peak_rss = max(report.peak_rss, _rss(server_pid))
        time.sleep(0.5)
    report.seconds = time.monotonic() - started
    return report


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="endpoint URL on this machine")
    where.add_argument("--serve", metavar="STORE", help="start `kg serve` on this store folder")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--pathological", type=int, default=0, help="extra clients sending a cartesian product")
    parser.add_argument("--timeout", type=float, default=5.0, help="query timeout of the started server")
    args = parser.parse_args()
    proc = None
    endpoint = args.url
    if args.serve:
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", args.serve, "--port", str(port),
                                 "--timeout", str(args.timeout)], cwd=ROOT, env=os.environ.copy())
        endpoint = f"http://127.0.0.1:{port}/sparql"
        deadline = time.monotonic() + 60
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/health")
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("kg serve did not start")
                time.sleep(0.2)
    try:
        report = run_load(endpoint, args.clients, args.seconds, args.pathological, proc.pid if proc else None)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"{args.clients} clients, {args.pathological} pathological: {report.line()}")
    sys.exit(1 if report.errors else 0)


if __name__ == "__main__":
    main()
