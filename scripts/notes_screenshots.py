"""The README's screenshots of the notes site (docs/screenshots/*.png), in French, on the demo
agency: home page, "whom did we work with for React", a freelancer's page, a search, a fair
daily rate. Chromium through Playwright (Debian's `chromium`).

    .venv/bin/python scripts/notes_screenshots.py
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="fms-shots-"))
    env = os.environ | {"FMS_DB": str(work / "fms.db"), "FMS_NOTES_DB": str(work / "notes.db"),
                        "FMS_LANG": "fr", "FMS_HOME": str(ROOT)}  # fmt: skip
    fms = str(Path(sys.executable).with_name("fms"))
    subprocess.run([fms, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([fms, "publish"], env=env, check=True, stdout=subprocess.DEVNULL)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([fms, "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/-/versions.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=["--no-sandbox", "--disable-dev-shm-usage"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/")
            page.screenshot(path=str(OUT / "home.png"), full_page=True)
            page.goto(base + "/notes/who_for_skill?skill=React")
            page.screenshot(path=str(OUT / "who_for_react.png"), full_page=True)
            page.locator("table.fms-answer tbody tr a").first.click()
            page.wait_for_selector("#fms-rate-chart .main-svg")
            page.screenshot(path=str(OUT / "profile.png"), full_page=False)
            page.goto(base + "/notes/notes_mentioning?q=reactivite")
            page.screenshot(path=str(OUT / "search.png"), full_page=False)
            page.goto(base + "/notes/fair_rate?skill=dev+web&seniority=confirm%C3%A9")
            page.wait_for_selector(".fms-chart .main-svg")
            page.screenshot(path=str(OUT / "fair_rate.png"), full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
