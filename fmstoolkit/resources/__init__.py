"""The files the toolkit ships inside its package, and the one way to find them.

What lives here:

- ``skills.csv``: the skills catalogue the first migration loads (:mod:`fmstoolkit.pool`);
- ``metadata.yml``: the Datasette metadata of the notes database (:mod:`fmstoolkit.publish`);
- ``templates/``: the Datasette templates of the notes site (home page, search, profile page,
  usual questions, :mod:`fmstoolkit.serve`) and ``static/`` its style sheet and chart script;
- ``demo_texts.json``: the texts of the demo agency (:mod:`fmstoolkit.demo`).

Why inside the package and not in the checkout's ``data/`` folder: an ordinary (non-editable)
``pip install`` copies the package and its package data into site-packages and nothing else, so
only files shipped here are there for the first migration, ``fms demo``, ``fms publish`` and
``fms serve``. ``pyproject.toml`` lists them under ``[tool.setuptools.package-data]``.

They are read through :mod:`importlib.resources`, which finds them wherever the package was
installed. Readers that need a real path on disk (``open()``, Datasette's ``template_dir``) ask
:func:`resource_path`: an installed package already is on disk and its path is returned as is;
a package imported from a zip file has its resource copied to a temporary folder, kept until
the process ends.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import tempfile
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

SKILLS_CATALOGUE = "skills.csv"
METADATA = "metadata.yml"
TEMPLATES = "templates"
STATIC = "static"
DEMO_TEXTS = "demo_texts.json"

#: Resources copied out of a zipped package, removed when the process exits.
_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def resource(name: str) -> Traversable:
    """The resource ``name`` (a path relative to this package, ``/``-separated), to read with
    ``read_text()`` / ``read_bytes()`` without needing it on disk."""
    return files(__name__).joinpath(*name.split("/"))


def resource_path(name: str) -> Path:
    """A path on disk to the resource ``name`` (a file or a folder), valid until the process
    ends; raises :class:`FileNotFoundError` when the package holds no such resource."""
    found = resource(name)
    if isinstance(found, Path):  # an ordinary install or a checkout: already on disk
        if not found.exists():
            raise FileNotFoundError(f"fmstoolkit ships no resource {name!r} (looked at {found})")
        return found
    if not (found.is_file() or found.is_dir()):
        raise FileNotFoundError(f"fmstoolkit ships no resource {name!r}")
    if found.is_file():
        return _extracted.enter_context(as_file(found))
    # importlib.resources.as_file() copies folders only from Python 3.12 on
    folder = Path(_extracted.enter_context(tempfile.TemporaryDirectory(prefix="fmstoolkit-")))
    _copy_tree(found, folder / found.name)
    return folder / found.name


def _copy_tree(source: Traversable, target: Path) -> None:
    """Copy the folder ``source`` (of any importlib.resources reader) to ``target``."""
    target.mkdir(parents=True)
    for item in source.iterdir():
        if item.is_dir():
            _copy_tree(item, target / item.name)
        else:
            with item.open("rb") as src, open(target / item.name, "wb") as dst:
                shutil.copyfileobj(src, dst)


def skills_catalogue() -> Path:
    """The skills catalogue (CSV: name, French and English labels, category, base rate,
    aliases) that the first migration loads."""
    return resource_path(SKILLS_CATALOGUE)


def metadata_file() -> Path:
    """The Datasette metadata of the notes database (YAML)."""
    return resource_path(METADATA)


def templates_dir() -> Path:
    """The folder of Datasette templates, for ``Datasette(template_dir=...)`` and for
    ``datasette publish --template-dir``."""
    return resource_path(TEMPLATES)


def demo_texts() -> Path:
    """The texts the demo agency draws its notes, recommendations and feedback from (JSON)."""
    return resource_path(DEMO_TEXTS)


def static_file(name: str) -> Path:
    """A file of the notes site's ``static/`` folder (style sheet, chart script)."""
    return resource_path(f"{STATIC}/{name}")
