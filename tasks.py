#!/usr/bin/env python3
"""Set up and run newskg with nothing but Python 3.11+ and the package registries.

    python3 tasks.py serve   # venv + install, build the sample corpus, serve SPARQL
    python3 tasks.py test    # venv + install with test tools, run the whole test suite

The virtual environment lives in .venv; installing is skipped when pyproject.toml
has not changed since the last install. Standard library only, on purpose.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def _run(*cmd: str | Path) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True)


def setup(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"newskg needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras}"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return
    _run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PY, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")
    stamp.write_text(want)


def serve(args: list[str]) -> None:
    setup("model")
    _run(BIN / "kg", "build", "samples/belarus2020")
    os.execv(str(BIN / "kg"), [str(BIN / "kg"), "serve", *args])


def test(args: list[str]) -> None:
    setup("model,test")
    os.execv(str(PY), [str(PY), "-m", "pytest", *args])


def main() -> None:
    commands = {"serve": serve, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
