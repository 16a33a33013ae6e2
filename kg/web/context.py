"""Access to the app's store and settings from inside a request."""
from __future__ import annotations

from flask import current_app

from ..store import KGStore
from .settings import Settings


def store() -> KGStore:
    return current_app.extensions["kg.store"]


def settings() -> Settings:
    return current_app.extensions["kg.settings"]
