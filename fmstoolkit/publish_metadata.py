"""The Datasette metadata of the notes database, in the reader's language.

``fmstoolkit/resources/metadata.yml`` holds the titles, descriptions and column descriptions of
the notes site as English sentences; :func:`metadata` translates each of them through the
gettext catalogues into the settings' language (``FMS_LANG``), so that a page reads in one
language instead of the former "français / English" pairs. :func:`extract_sentences` is the
Babel extraction method that puts those sentences into the catalogues
(:mod:`fmstoolkit.i18n_catalogue`), like the ``_()`` calls of the code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml  # PyYAML comes with Datasette

from . import resources
from .config import get_settings
from .i18n import _

#: The metadata Datasette is served with (titles, descriptions, facets, canned queries), shipped
#: in the package so that an installed toolkit has it (see :mod:`fmstoolkit.resources`).
METADATA_FILE = resources.metadata_file()

#: Keys whose values are sentences; every value under ``columns`` is one too.
SENTENCE_KEYS = {"title", "description", "description_html", "license"}


def _sentences(node: Any, key: str = "") -> Iterator[tuple[dict | list, Any, str]]:
    """``(container, key, text)`` for every sentence of the metadata tree."""
    if isinstance(node, dict):
        for k, value in node.items():
            if isinstance(value, str) and (k in SENTENCE_KEYS or key == "columns"):
                yield node, k, value
            else:
                yield from _sentences(value, k)
    elif isinstance(node, list):
        for value in node:
            yield from _sentences(value, key)


def translated(data: dict[str, Any], lang: str | None = None) -> dict[str, Any]:
    """``data`` with every sentence in ``lang`` (in place; returned for convenience)."""
    for container, key, text in list(_sentences(data)):
        container[key] = _(text, lang)
    return data


def metadata(*, password_hash: bool | None = None, lang: str | None = None) -> dict[str, Any]:
    """The Datasette metadata in ``lang`` (default ``FMS_LANG``), with the login block when a
    password hash is configured (``FMS_DATASETTE_PASSWORD_HASH``)."""
    data = translated(yaml.safe_load(METADATA_FILE.read_text(encoding="utf-8")), lang)
    if password_hash is None:
        password_hash = get_settings().datasette_password_hash is not None
    if password_hash:
        data["allow"] = {"id": "manager"}
        data.setdefault("plugins", {})["datasette-auth-passwords"] = {
            "manager_password_hash": {"$env": "FMS_DATASETTE_PASSWORD_HASH"}
        }
    return data


def write_metadata(path: str | Path, *, password_hash: bool | None = None) -> Path:
    """Write the metadata to ``path`` (JSON when it ends in ``.json``, YAML otherwise), for a
    ``datasette publish`` deployment."""
    path = Path(path)
    data = metadata(password_hash=password_hash)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def extract_sentences(fileobj, keywords, comment_tags, options):
    """Babel extraction method for the metadata file: ``(line, funcname, message, comments)``
    for each sentence (line numbers are not tracked: the catalogues keep no locations)."""
    data = yaml.safe_load(fileobj.read().decode("utf-8"))
    for _container, _key, text in _sentences(data):
        yield 1, "_", text, []
