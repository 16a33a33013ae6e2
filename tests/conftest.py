"""Shared fixtures: the NLP builder and the sample corpus store, built once per session.

Paths are found relative to this file, so the suite runs from any working directory
and on a fresh clone (the ../shared folder of the project workspace is optional).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "belarus2020"
SHARED = Path(__file__).resolve().parents[2] / "shared"

NKG = "https://w3id.org/newskg/ontology#"
PREFIXES = f"""PREFIX nkg: <{NKG}>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def sample_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.txt"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    assert SAMPLES.is_dir(), f"sample corpus missing: {SAMPLES}"
    return SAMPLES


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present (only in the project workspace)")
    return SHARED


@pytest.fixture(scope="session")
def builder():
    """One Builder (spaCy model loaded once) for the whole session."""
    from kg.pipeline import Builder

    return Builder()


@pytest.fixture(scope="session")
def sample_build(builder, samples_dir):
    """(store, report) of the sample corpus built into an in-memory store."""
    from kg.store import KGStore

    store = KGStore()
    report = builder.build([str(samples_dir)], store)
    return store, report


@pytest.fixture(scope="session")
def sample_store(sample_build):
    return sample_build[0]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, sample_store) -> Path:
    """The samples in a store folder, as `kg build --store` leaves them."""
    from pyoxigraph import Store

    path = tmp_path_factory.mktemp("endpoint") / "store"
    disk = Store(str(path))
    disk.bulk_extend(sample_store.store.quads_for_pattern(None, None, None, None))
    disk.flush()
    del disk
    return path


@pytest.fixture()
def corpus_copy(tmp_path, samples_dir) -> Path:
    """A private, editable copy of the sample corpus."""
    dest = tmp_path / "corpus"
    shutil.copytree(samples_dir, dest)
    return dest


def kg_command() -> list[str]:
    """The installed `kg` script (as a user runs it), else `python -m kg.cli`."""
    script = Path(sys.executable).parent / ("kg.exe" if os.name == "nt" else "kg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kg.cli"]


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def kg_serving(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """`kg serve ARGS --port P` in a process; yields (root URL, process) once /health answers.

    On leaving, the server is interrupted as with Ctrl-C; its stderr stays readable.
    """
    port = free_port()
    proc = subprocess.Popen([*kg_command(), "serve", *args, "--port", str(port)], cwd=ROOT,
                            env={**os.environ, **(env or {})}, stderr=subprocess.PIPE, text=True)
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(root + "/health", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
                time.sleep(0.2)
        yield root, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve a WSGI ``app`` with waitress on a free local port; yields its root URL."""
    from waitress import create_server

    # poll(), unlike select(), lets close() from this thread end the loop without an error
    server = create_server(app, host="127.0.0.1", port=0, threads=4, asyncore_use_poll=True)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)
