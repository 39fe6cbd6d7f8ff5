"""An ordinary ``pip install`` has every file the toolkit reads at run time.

A non-editable install copies the package and its declared package data into site-packages and
nothing else: a file read at run time that ``[tool.setuptools.package-data]`` forgets works in a
checkout and breaks on the first migration, ``fms demo``, ``fms publish``, ``fms serve`` or the
first message sent. So the wheel of the checkout is built here (offline, from a copy of the
sources so that a stale ``build/`` folder cannot hide a missing file) and every file under
``fmstoolkit/resources`` and ``fmstoolkit/notify/templates`` must be in it; the wheel, imported
as a zip file, must also hand out its resources as real paths.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import fmstoolkit
from fmstoolkit import demo, pool, publish, resources

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fmstoolkit"
#: The folders of files read at run time (not Python modules).
DATA_FOLDERS = ("resources", "notify/templates", "locale")


def _data_files() -> list[str]:
    """Every non-Python file of the checkout's data folders, as a path inside the wheel."""
    found = []
    for folder in DATA_FOLDERS:
        for path in sorted((PACKAGE / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                found.append(path.relative_to(ROOT).as_posix())
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of the checkout, built offline with the setuptools of this environment."""
    base = tmp_path_factory.mktemp("packaging")
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "setup.py"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        PACKAGE, src / "fmstoolkit", ignore=shutil.ignore_patterns("__pycache__", "*.mo")
    )  # the compiled catalogues must come from the build itself (setup.py), not the checkout
    out = base / "dist"
    result = subprocess.run(
        [
            sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
            "--no-index", "--disable-pip-version-check", "--quiet", "--wheel-dir", str(out),
            str(src),
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, (
        "building the wheel failed (the dev extra brings setuptools>=77):\n"
        + result.stdout + result.stderr
    )
    (built,) = out.glob("fmstoolkit-*.whl")
    return built


def test_the_wheel_holds_every_resource_and_message_template(wheel):
    expected = _data_files()
    assert "fmstoolkit/resources/skills.csv" in expected
    assert "fmstoolkit/resources/templates/row-notes-freelancers.html" in expected
    assert "fmstoolkit/notify/templates/availability_question.html" in expected
    assert "fmstoolkit/locale/fr/LC_MESSAGES/fmstoolkit.po" in expected
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    assert [name for name in expected if name not in names] == []
    # the catalogues are compiled when the package is built: French is there without `make`
    assert "fmstoolkit/locale/fr/LC_MESSAGES/fmstoolkit.mo" in names
    assert "fmstoolkit/resources/__init__.py" in names
    assert "fms = fmstoolkit.cli:cli" in scripts


def test_resources_are_read_from_a_zipped_package(wheel, tmp_path):
    """Imported from a zip file (as zipimport does), the resources are copied out to real
    paths, because Datasette's ``template_dir`` and ``open()`` need files on disk; the copies
    are removed when the process ends."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import fmstoolkit.resources as r; "
        "assert r.__file__.startswith(sys.argv[1]), r.__file__; "
        "template = r.templates_dir() / 'row-notes-freelancers.html'; "
        "catalogue = r.skills_catalogue(); "
        "print(template); print(template.read_text(encoding='utf-8').splitlines()[0]); "
        "print(catalogue); print(catalogue.read_text(encoding='utf-8').splitlines()[0])"
    )
    # -S: no site-packages, so the editable install of the checkout cannot answer instead
    result = subprocess.run(
        [sys.executable, "-S", "-c", code, str(wheel)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    template, template_head, catalogue, catalogue_head = result.stdout.splitlines()
    assert template_head == '{% extends "base.html" %}'
    assert catalogue_head.startswith("name,")
    assert not template.startswith(str(wheel))  # a real file, outside the zip
    assert not Path(template).exists() and not Path(catalogue).exists()


def test_readers_use_the_files_shipped_in_the_package():
    package = Path(fmstoolkit.__file__).resolve().parent / "resources"
    for path in (
        pool.SKILLS_CATALOGUE,
        publish.METADATA_FILE,
        demo.TEXTS_FILE,
        resources.templates_dir() / "row-notes-freelancers.html",
    ):
        assert path.is_file(), path
        assert path.resolve().is_relative_to(package), path
    assert publish.metadata()["databases"]["notes"]["tables"]["freelancers"]["label_column"]


def test_an_unknown_resource_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="no resource 'nothing.csv'"):
        resources.resource_path("nothing.csv")
