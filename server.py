"""WSGI entry point: ``waitress-serve server:app`` (or ``kg serve``).

The store folder comes from ``KG_STORE`` (default ``./kgstore``).
"""
from kg.store import default_store_path
from kg.web import create_app

app = create_app(store_path=default_store_path())
