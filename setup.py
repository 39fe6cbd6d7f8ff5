"""Compile the gettext catalogues (``.po`` → ``.mo``) whenever the package is built or installed.

Everything else about the package is in ``pyproject.toml``; setuptools reads this file only for
the build step below, which runs for a wheel, a plain ``pip install`` and an editable install
alike, so an installed fmstoolkit always has its compiled catalogues (see fmstoolkit/i18n.py).
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path(__file__).resolve().parent / "fmstoolkit" / "locale"


def compile_catalogues() -> list[Path]:
    """Write each catalogue's ``.mo`` beside its ``.po``; return the files written."""
    written = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        written.append(mo)
    return written


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        compile_catalogues()
        super().run()


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildWithCatalogues})
