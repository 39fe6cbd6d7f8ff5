"""Benchmark of the notes database (issue 5): publishing, full-text search through Datasette,
freelancer profile pages.

    python benchmarks/bench_publish.py [--freelancers 18000] [--generator demo|bulk]

At the default scale (18,000 freelancers, ~180,000 notes, issue 15) it checks:

- publishing under 20 s;
- a full-text search (the ``notes_mentioning`` canned query) through ``fms serve`` over HTTP:
  p50 under 30 ms and within 2x of the same FTS query run directly in SQLite;
- a freelancer's profile page (``/notes/freelancers/<id>``, the full page the notes site draws:
  skills, missions, notes, recommendations, feedback, benchmark and charts) under 100 ms p50.

The agency comes from ``fmstoolkit.demo.generate`` when it exists (``--generator demo``), else
from the bulk generator below (plain ``executemany`` inserts with the same shape: 20 missions and
10 notes per freelancer, French texts with accents). Prints one JSON line per figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from fmstoolkit import db as dbmod
from fmstoolkit import publish
from fmstoolkit.config import reload_settings
from fmstoolkit.notes_site import pages

WORDS = (
    "réactivité autonomie rigueur qualité délais communication pédagogie créativité écoute "
    "documentation livrable maquette refonte intégration accessibilité sécurité performance "
    "référencement rédaction stratégie analyse tests déploiement équipe client réunion "
    "priorités budget planning efficace fiable soigné précis proactif disponible impliqué"
).split()
CITIES = ["Paris", "Lyon", "Nantes", "Lille", "Bordeaux", "Marseille", "Rennes", "Toulouse"]


def emit(bench: str, value: float, target: float | None = None, **extra) -> None:
    line = {"bench": bench, "value": round(value, 3)}
    if target is not None:
        line |= {"target": target, "ok": value < target}
    print(json.dumps(line | extra, ensure_ascii=False), flush=True)


def bulk_generate(db, freelancers: int, seed: int = 0) -> dict[str, int]:
    """A large agency fast: 20 missions and 10 notes per freelancer, with contacts."""
    rnd = random.Random(seed)
    conn = db.conn
    skills = [r[0] for r in conn.execute("SELECT id FROM skills")]
    projects = max(10, freelancers // 20)
    with conn:
        conn.executemany(
            "INSERT INTO projects (id, name, client, lead_name) VALUES (?, ?, ?, ?)",
            [
                (i, f"Projet {i}", f"Client {i % 50}", "Claire Durand")
                for i in range(1, projects + 1)
            ],
        )
        conn.executemany(
            "INSERT INTO freelancers (id, name, headline, city, seniority, daily_rate, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i,
                    f"Freelance {i} Dupré",
                    "Consultant·e",
                    rnd.choice(CITIES),
                    rnd.choice(["junior", "confirmed", "senior"]),
                    rnd.randrange(300, 900, 10),
                    "forgotten" if i % 500 == 0 else rnd.choice(["active", "alumni"]),
                )
                for i in range(1, freelancers + 1)
            ],
        )
        conn.executemany(
            "INSERT INTO contacts (freelancer_id, email, phone, telegram_chat_id, "
            "preferred_channel) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    i,
                    f"f{i}@example.org",
                    f"+33 6 {i:08d}",
                    10**9 + i if i % 2 else None,
                    "telegram" if i % 2 else "email",
                )
                for i in range(1, freelancers + 1)
            ],  # fmt: skip
        )
        conn.executemany(
            "INSERT OR IGNORE INTO freelancer_skills (freelancer_id, skill_id, level) "
            "VALUES (?, ?, ?)",
            [
                (i, rnd.choice(skills), rnd.randint(1, 5))
                for i in range(1, freelancers + 1)
                for _ in range(3)
            ],  # fmt: skip
        )
        missions, notes, recos, feedback = [], [], [], []
        mid = 0
        for fid in range(1, freelancers + 1):
            for k in range(20):
                mid += 1
                year = 2016 + k // 2
                start = f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 18):02d}"
                end = start[:8] + f"{int(start[8:]) + 9:02d}"
                missions.append((mid, fid, rnd.randint(1, projects), rnd.choice(skills), start,
                                 end, 10, rnd.randrange(300, 900, 10), "offboarded"))  # fmt: skip
                if k % 2 == 0:
                    text = " ".join(rnd.choices(WORDS, k=rnd.randint(8, 25))).capitalize()
                    notes.append((mid, "Claire Durand", *(rnd.randint(1, 5) for _ in range(4)),
                                  rnd.choice(["yes", "yes", "maybe", "no"]), text))  # fmt: skip
                if k % 4 == 0:
                    recos.append((mid, "Claire", " ".join(rnd.choices(WORDS, k=15))))
                    feedback.append((mid, rnd.randint(1, 5), rnd.randint(1, 5), rnd.randint(1, 5),
                                     " ".join(rnd.choices(WORDS, k=8))))  # fmt: skip
        conn.executemany(
            "INSERT INTO missions (id, freelancer_id, project_id, skill_id, start_date, end_date,"
            " days, daily_rate, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            missions,
        )
        conn.executemany(
            "INSERT INTO notes (mission_id, author, quality, communication, deadlines, autonomy,"
            " would_rehire, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            notes,
        )
        conn.executemany(
            "INSERT INTO recommendations (mission_id, author, text) VALUES (?, ?, ?)", recos
        )
        conn.executemany(
            "INSERT INTO feedback (mission_id, onboarding, integration, clarity, suggestions) "
            "VALUES (?, ?, ?, ?, ?)",
            feedback,
        )
    return {"freelancers": freelancers, "missions": len(missions), "notes": len(notes)}


def generate(db, freelancers: int, generator: str) -> tuple[str, dict]:
    if generator == "demo":
        try:
            from fmstoolkit import demo
        except ImportError:
            generator = "bulk"
        else:
            return "demo", demo.generate(db, freelancers=freelancers, seed=0)
    return "bulk", bulk_generate(db, freelancers)


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def search_terms(path: Path, count: int = 20) -> list[str]:
    """What a project lead types: the most frequent words of six letters or more in the notes
    (qualities, deliverables...), written without accents to exercise accent folding."""
    import unicodedata

    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, notes_fts, 'row')")
    rows = conn.execute(
        "SELECT term FROM temp.vocab WHERE length(term) >= 6 ORDER BY doc DESC LIMIT ?", [count]
    ).fetchall()
    conn.close()
    plain = [
        "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
        for (t,) in rows
    ]
    return plain or ["reactivite"]


def canned_sql(name: str) -> str:
    sql = publish.metadata()["databases"]["notes"]["queries"][name]["sql"]
    return sql.replace("escape_fts(:q)", ":q")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--freelancers", type=int, default=18_000, help="Scale of the agency.")
    parser.add_argument("--generator", choices=["demo", "bulk"], default="demo",
                        help="fmstoolkit.demo (when present) or the bulk generator.")  # fmt: skip
    parser.add_argument(
        "--from-db",
        type=Path,
        help="Publish this existing operational database instead of generating one.",
    )
    parser.add_argument("--requests", type=int, default=200, help="Requests per HTTP figure.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_publish_"))
    os.environ["FMS_DB"] = str(work / "fms.db")
    os.environ["FMS_NOTES_DB"] = str(work / "notes.db")
    reload_settings()
    started = time.perf_counter()
    if args.from_db:
        db = dbmod.open_db(args.from_db)
        used, counts = str(args.from_db), {"notes": db["notes"].count}
    else:
        db = dbmod.open_db(work / "fms.db", create=True)
        used, counts = generate(db, args.freelancers, args.generator)
    emit("publish_generate_s", time.perf_counter() - started, generator=used,
         freelancers=args.freelancers, notes=counts.get("notes"))  # fmt: skip

    stats = publish.publish(db)
    emit("publish_s", stats["seconds"], 20.0, notes=stats["notes"], missions=stats["missions"])
    # a second publish over an existing file (what each closed offboarding does)
    emit("republish_s", publish.publish(db)["seconds"], 20.0)
    db.close()

    # republishing after a closed offboarding, on the demo agency (200 freelancers)
    small = dbmod.open_db(work / "demo.db", create=True)
    generate(small, 200, args.generator)
    small_stats = publish.publish(small, work / "demo-notes.db")
    emit("republish_demo_s", small_stats["seconds"], 1.0, notes=small_stats["notes"])
    small.close()

    notes_db = work / "notes.db"
    terms = search_terms(notes_db)
    sql = canned_sql("notes_mentioning")
    from datasette.utils import escape_fts

    direct = sqlite3.connect(f"file:{notes_db}?mode=ro", uri=True)
    # the SQL functions the notes site registers (the same Python functions, as in Datasette)
    pages.prepare_connection(direct, "notes", None)
    direct_samples = []
    for i in range(args.requests):
        q = escape_fts(terms[i % len(terms)])
        t = time.perf_counter()
        direct.execute(sql, {"q": q, "skill": "", "verdict": "", "year": ""}).fetchall()
        direct_samples.append(time.perf_counter() - t)
    direct.close()

    port = free_port()
    fms = Path(sys.executable).with_name("fms")
    proc = subprocess.Popen(
        [str(fms), "serve", "--port", str(port), "--notes-db", str(notes_db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, proc)
        with httpx.Client(base_url=base, timeout=30) as client:
            for term in terms[:3]:  # warm up
                client.get("/notes/notes_mentioning.json", params={"q": term, "_shape": "array"})
            http_samples = []
            for i in range(args.requests):
                t = time.perf_counter()
                r = client.get(
                    "/notes/notes_mentioning.json",
                    params={"q": terms[i % len(terms)], "_shape": "array"},
                )
                http_samples.append(time.perf_counter() - t)
                r.raise_for_status()
            http_p50, direct_p50 = p50_ms(http_samples), p50_ms(direct_samples)
            emit("fts_http_p50_ms", http_p50, 30.0, baseline_ms=round(direct_p50, 3),
                 ratio=round(http_p50 / direct_p50, 2), terms=len(terms))  # fmt: skip
            emit("fts_http_vs_sqlite_ratio", http_p50 / direct_p50, 2.0)

            rnd = random.Random(1)
            ids = [r[0] for r in sqlite3.connect(notes_db).execute(
                "SELECT id FROM freelancers WHERE notes_count > 0")]  # fmt: skip
            client.get(f"/notes/freelancers/{ids[0]}")
            page_samples = []
            for _ in range(args.requests):
                t = time.perf_counter()
                r = client.get(f"/notes/freelancers/{rnd.choice(ids)}")
                page_samples.append(time.perf_counter() - t)
                r.raise_for_status()
            emit("profile_page_p50_ms", p50_ms(page_samples), 100.0)
    finally:
        proc.terminate()
        proc.wait(10)
    return 0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("fms serve stopped")
        try:
            httpx.get(base + "/-/versions.json", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("fms serve did not start")


if __name__ == "__main__":
    sys.exit(main())
