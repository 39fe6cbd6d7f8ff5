"""A headless Chromium (Debian's package, installed by `make test`) for tests that look at pages.

``dump_dom(url)`` loads a page, lets its JavaScript run for a while of virtual time, and returns
the resulting DOM; ``screenshot(url, path)`` saves a PNG. The flags keep Chromium off the network
(this machine has none) and away from the user's profile.

The browser speaks the agency's language (``FMS_LANG``): ``locale()`` is what Playwright's
``new_page(locale=...)`` / ``new_context(locale=...)`` and Chromium's ``--lang`` get, so that
what the browser itself writes follows it, as a manager's browser would: the date fields
(``<input type=date>``, ipywidgets' DatePicker) show jj/mm/aaaa in French, dd/mm/yyyy in
British English.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


#: The browser's locale for each language of the toolkit (British English, like the app's dates).
LOCALES = {"fr": "fr-FR", "en": "en-GB"}


def locale(lang: str | None = None) -> str:
    """The browser locale of ``lang`` (default: ``FMS_LANG``, French when unset)."""
    return LOCALES.get(lang or os.environ.get("FMS_LANG") or "fr", "fr-FR")


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium is missing: `make test` installs it (.ci/system-deps.sh).")
    return path


def _run(url: str, extra: list[str], budget_ms: int, timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="fms-chromium-") as profile:
        return subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={budget_ms}",
                f"--lang={locale()}",
                *extra,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def dump_dom(url: str, *, budget_ms: int = 20_000, timeout: float = 120) -> str:
    """The page's DOM after its scripts ran (``budget_ms`` of virtual time)."""
    return _run(url, ["--dump-dom"], budget_ms, timeout).stdout


def screenshot(url: str, path: Path, *, size: str = "1280,900", budget_ms: int = 20_000) -> Path:
    _run(url, [f"--screenshot={path}", f"--window-size={size}"], budget_ms, 120)
    return path
