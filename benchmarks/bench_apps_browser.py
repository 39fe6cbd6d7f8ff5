"""The planning app as the manager feels it, in a real browser, at the agency's scale.

Targets (issue 14), with 10,000 freelancers from the demo generator, the app served by Voila as
``make run`` serves it and driven by Playwright on Debian's chromium (never a downloaded
browser):

* from pressing "Create the request and rank candidates" ("a web developer in 6 days for one
  week") to the ranked candidates drawn: p50 < 1 s;
* the 30-day schedule (Gantt) drawn after pressing "Show": p50 < 2 s.

Both are timed in the page (``performance.now()`` when the button is clicked, and again at the
first animation frame after the DOM shows the result: the "Request #N created." line, which
the app writes once the candidates' table, their list and the rate chart are sent; the
schedule's title for the new window, which plotly.js writes when it has drawn the figure).
The baselines, measured in the same run, are the domain calls the app makes, in Python
(``planning.rank_candidates`` for the same requests, ``planning.schedule`` for the same
windows): the ratio is the cost of the app layer (widgets, Voila, the browser).

How long the app takes to open is measured too (in the page: first byte, page sent, widgets and
charts drawn), and where the time goes: a bare kernel's start, then each code cell of
``notebooks/planning.ipynb`` run in that kernel (the first one is our imports); Voila sends
the page once every cell ran, the rest is the browser drawing the widgets.

Prints one JSON line per figure. The database is bench_planning's (kept in the temporary
folder, keyed by size, seed and day).

    python benchmarks/bench_apps_browser.py [--freelancers 10000] [--rounds 15] [--fresh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_planning import emit, open_copy, percentile, remove
from jupyter_client.manager import start_new_kernel
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from fmstoolkit import apps_server, clock, planning
from fmstoolkit import db as dbmod
from fmstoolkit.i18n import _, format_date
from fmstoolkit.ui import planning as planning_ui

ROOT = Path(__file__).resolve().parent.parent
LANG = "fr"
PROJECT = "Bench project"
SKILL = "Développement web"

#: Installed in the page before a click: the time of the click, then the time of the first
#: animation frame after an element of ``selector`` holds ``text`` (``window.__fmsMs``).
WATCH = """([button, selector, text]) => {
  window.__fmsMs = null;
  let clicked = null;
  const target = [...document.querySelectorAll('button')].find(
    (b) => b.textContent.trim() === button);
  target.addEventListener('click', () => { clicked = performance.now(); },
                          {capture: true, once: true});
  const drawn = () => [...document.querySelectorAll(selector)].some(
    (e) => e.textContent.includes(text));
  const observer = new MutationObserver(() => {
    if (clicked === null || !drawn()) return;
    observer.disconnect();
    requestAnimationFrame(() => { window.__fmsMs = performance.now() - clicked; });
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_voila(home: Path, db_path: Path) -> tuple[subprocess.Popen, str]:
    """One Voila server over notebooks/, as scripts/run.sh starts it, on ``db_path``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FMS_")}
    env |= {"FMS_HOME": str(home), "FMS_DB": str(db_path), "FMS_LANG": LANG,
            "FMS_NOTES_DB": str(home / "notes.db"), "JUPYTER_RUNTIME_DIR": str(home / "rt")}
    port = free_port()
    log = (home / "voila.log").open("wb")  # a file: a full pipe would stop Voila mid-run
    proc = subprocess.Popen(apps_server.voila_command(ROOT / "notebooks", port), env=env,
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base, timeout=2)
            return proc, base
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError((home / "voila.log").read_text()[-2000:]) from None
            time.sleep(0.5)


#: The page's own clock at the first byte of the page, at its last byte (Voila has run every
#: cell and sent the outputs) and now (seconds since the navigation started).
NAVIGATION = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return {first_byte_s: n.responseStart / 1000, page_sent_s: n.responseEnd / 1000,
          drawn_s: performance.now() / 1000};
}"""


def open_planning(browser, base: str):
    """The planning app in a new page, and the seconds (page-side) until its widgets and its
    three charts (the candidates' rates, the schedule, a skill's rates) are drawn: when the
    first byte came, when the page was all sent, when it was drawn."""
    page = browser.new_page(viewport={"width": 1280, "height": 1600}, locale="fr-FR")
    page.goto(f"{base}/voila/render/planning.ipynb", timeout=300_000)
    page.wait_for_selector(".jupyter-widgets button", timeout=300_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .gtitle').length >= 3",
                           timeout=300_000)
    return page, page.evaluate(NAVIGATION)


#: A press whose result is not drawn within this many seconds counts as "not drawn".
NOT_DRAWN_S = 60


def timed_click(page, button: str, selector: str, text: str) -> float | None:
    """Milliseconds, measured in the page, from clicking ``button`` to ``text`` drawn; None
    when it was not drawn within :data:`NOT_DRAWN_S` (what was on screen is said on stderr:
    a lost redraw is a figure of its own, not a crash of the whole run)."""
    page.evaluate(WATCH, [button, selector, text])
    page.get_by_role("button", name=re.compile(rf"^\W*{re.escape(button)}$")).click()
    try:
        page.wait_for_function("window.__fmsMs !== null", timeout=NOT_DRAWN_S * 1000)
    except PlaywrightTimeout:
        shown = page.locator(selector).all_text_contents()
        print(f"{button}: {text!r} not drawn in {NOT_DRAWN_S} s; on screen: {shown[:4]}",
              file=sys.stderr)
        return None
    ms = page.evaluate("window.__fmsMs")
    if os.environ.get("FMS_BENCH_VERBOSE"):
        print(f"{button}: {ms:.0f} ms", file=sys.stderr)
    return ms


def next_request_id(db_path: Path) -> int:
    database = dbmod.connect(db_path)
    try:
        return (database.execute("SELECT max(id) FROM requests").fetchone()[0] or 0) + 1
    finally:
        database.close()


def bench_ranking(page, db_path: Path, rounds: int) -> tuple[list[float], list[int]]:
    """Fill the form ("a web developer in 6 days for one week": the start date's and the
    length's defaults), press create ``rounds`` times; the times and the requests made."""
    page.locator("input[list]").first.fill(PROJECT)
    page.get_by_placeholder("web, React, SEO…").fill(SKILL)
    button = planning_ui.t("create", LANG)
    times, ids = [], []
    for _round in range(rounds):
        rid = next_request_id(db_path)
        created = planning_ui.t("created", LANG, id=rid)
        times.append(timed_click(page, button, ".widget-html-content", created))
        ids.append(rid)
    return times, ids


def bench_schedule(page, rounds: int, today: dt.date) -> tuple[list[float], list[tuple]]:
    """Show the schedule of 30 days from today, then from each next day (a new window each
    time, so that the figure changes): the times and the windows."""
    button = _("Show", LANG)
    times, windows = [], []
    for i in range(rounds):
        start = today + dt.timedelta(days=i % 7)
        end = start + dt.timedelta(days=29)
        page.get_by_role("textbox", name=_("From", LANG), exact=True).fill(start.isoformat())
        page.get_by_role("textbox", name=_("To", LANG), exact=True).fill(end.isoformat())
        title = _("Schedule {start} → {end}", LANG).format(
            start=format_date(start, LANG), end=format_date(end, LANG))
        if i and windows[-1] == (start, end):  # same window twice in a row: nothing redrawn
            continue
        times.append(timed_click(page, button, ".gtitle", title))
        windows.append((start, end))
    return times, windows


def baselines(db_path: Path, ids: list[int], windows: list[tuple]) -> tuple[list, list]:
    """The same domain calls in Python: the ranking of each request, the schedule of each
    window (milliseconds)."""
    database = dbmod.open_db(db_path)
    try:
        rank, sched = [], []
        for rid in ids:
            t0 = time.perf_counter()
            planning.rank_candidates(database, rid, top=20, lang=LANG)
            rank.append((time.perf_counter() - t0) * 1000)
        for start, end in windows:
            t0 = time.perf_counter()
            planning.schedule(database, start, end)
            sched.append((time.perf_counter() - t0) * 1000)
        return rank, sched
    finally:
        database.close()


def figures(name: str, times: list, base: list[float], target: float, **extra) -> None:
    """The p50 line of a figure; presses not drawn (None) are left out of the times and
    counted in ``not_drawn``."""
    drawn = [t for t in times if t is not None]
    p50, b50 = statistics.median(drawn), statistics.median(base)
    emit(f"{name}_p50_ms", p50, target, p90_ms=round(percentile(drawn, 0.9), 1),
         baseline_ms=round(b50, 1), ratio=round(p50 / b50, 1), rounds=len(times),
         not_drawn=len(times) - len(drawn), **extra)


def load_breakdown(home: Path, db_path: Path) -> dict[str, float]:
    """Where the opening time goes: a bare kernel's start, then each code cell of the planning
    notebook run in it (seconds)."""
    cells = [c["source"] for c in json.loads((ROOT / "notebooks" / "planning.ipynb").read_text())
             ["cells"] if c["cell_type"] == "code"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("FMS_")}
    env |= {"FMS_HOME": str(home), "FMS_DB": str(db_path), "FMS_LANG": LANG}
    t0 = time.perf_counter()
    manager, client = start_new_kernel(env=env, cwd=str(ROOT / "notebooks"))
    out = {"kernel_start_s": time.perf_counter() - t0}
    try:
        for i, source in enumerate(cells):
            code = "".join(source) if isinstance(source, list) else source
            t0 = time.perf_counter()
            reply = client.execute_interactive(code, timeout=300, output_hook=lambda _m: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"cell {i}: {reply['content']}")
            out[f"cell_{i}_s"] = time.perf_counter() - t0
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--freelancers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15, help="Presses measured per figure.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fresh", action="store_true", help="Regenerate the database.")
    args = parser.parse_args(argv)
    today = clock.today()
    database, work = open_copy(args.freelancers, args.seed, args.fresh, today)
    database.close()
    home = Path(tempfile.mkdtemp(prefix="fms-bench-apps-"))
    proc, base = start_voila(home, work)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=["--no-sandbox", "--disable-dev-shm-usage"])
            page, opening = open_planning(browser, base)
            page.set_default_timeout(120_000)
            ranking, ids = bench_ranking(page, work, args.rounds)
            rank_base, _none = baselines(work, ids, [])
            figures("app_rank_drawn", ranking, rank_base, 1000, freelancers=args.freelancers)
            schedule, windows = bench_schedule(page, args.rounds, today)
            browser.close()
        _none, sched_base = baselines(work, [], windows)
        figures("app_schedule_30d_drawn", schedule, sched_base, 2000)
        parts = load_breakdown(home, work)
        emit("app_planning_open_s", opening["drawn_s"], None,
             **{k: round(v, 2) for k, v in opening.items() if k != "drawn_s"},
             **{k: round(v, 2) for k, v in parts.items()},
             kernel_and_cells_s=round(sum(parts.values()), 2), freelancers=args.freelancers)
    except Exception:
        print((home / "voila.log").read_text()[-3000:], file=sys.stderr)  # what the app said
        raise
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        remove(work)
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
