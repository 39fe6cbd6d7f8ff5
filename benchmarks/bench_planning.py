"""Planning at the agency's scale: ranking a request, and booking a mission.

Targets (issue 3), with 10,000 freelancers, ~200,000 past missions and ~50,000 unavailability
periods from the demo generator:

* ranking the candidates of one request, explanations included: p50 < 50 ms, p95 < 150 ms;
* against the single indexed SQL query that finds the available freelancers with the skill
  (``planning.AVAILABLE_SQL``), both measured in this run (issue 11): every candidate scored
  and the shown ones (``--top``) explained within 2x, every candidate explained within 3x;
* creating a mission with its conflict check: p50 < 5 ms.

Prints one JSON line per figure. ``--freelancers N`` runs smaller. The demo database
(``fmstoolkit.demo``) is kept in the temporary folder (keyed by size, seed and day) so that a
second run starts at once; ``--fresh`` makes it again.

    python benchmarks/bench_planning.py [--freelancers 10000] [--rounds 200] [--fresh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fmstoolkit import clock, demo, planning
from fmstoolkit import db as dbmod


def emit(bench: str, value: float, target: float | None = None, **extra) -> None:
    line = {"bench": bench, "value": round(value, 3)}
    if target is not None:
        line["target"] = target
        line["ok"] = value <= target
    line.update(extra)
    print(json.dumps(line), flush=True)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def remove(path: Path) -> None:
    """Delete a database file and its WAL companions."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def open_copy(freelancers: int, seed: int, fresh: bool, today: dt.date) -> tuple:
    """A working copy of the demo database of this size, seed and day (generated once and kept
    in the temporary folder for the next runs): the database and its path."""
    path = Path(tempfile.gettempdir()) / (
        f"fmstoolkit-bench-planning-{freelancers}-{seed}-{today.isoformat()}.db"
    )
    if fresh or not path.exists():
        remove(path)
        t0 = time.perf_counter()
        database = dbmod.open_db(path, create=True)
        try:
            counts = demo.generate(database, freelancers=freelancers, seed=seed)
        finally:
            database.close()
        emit(
            "planning_generate_s",
            time.perf_counter() - t0,
            source="demo",
            freelancers=counts.get("freelancers"),
            missions=counts.get("missions"),
            unavailability=counts.get("unavailability"),
        )
    # One copy per run, so that two runs do not share it; the pristine one is kept.
    work = path.with_name(f"{path.stem}-work-{os.getpid()}.db")
    remove(work)
    pristine = dbmod.connect(path)
    db = dbmod.connect(work, create=True)
    pristine.conn.backup(db.conn)
    pristine.close()
    dbmod.migrate(db)
    return db, work


def make_requests(db, rng: random.Random) -> list[int]:
    """Requests for the 20 most common skills, starting in 6 to 20 days, 5 to 15 working days."""
    skills = [
        r[0]
        for r in db.execute(
            "SELECT skill_id FROM freelancer_skills GROUP BY skill_id "
            "ORDER BY count(*) DESC LIMIT 20"
        ).fetchall()
    ]
    return [
        planning.create_request(
            db,
            project="Bench project",
            skill=s,
            in_days=rng.randint(6, 20),
            days=rng.randint(5, 15),
            max_rate=rng.choice((None, 450, 550, 650)),
            min_level=rng.randint(1, 3),
        )["id"]
        for s in skills
    ]


def measure_ranking(db, request_ids: list[int], rounds: int, top: int) -> dict[str, list]:
    """Per round, one after the other for the same request: the baseline query, the ranking
    shown (every candidate scored, the ``top`` explained) and every candidate explained."""
    for rid in request_ids:  # warm the page cache and the rate-benchmark cache
        planning.rank_candidates(db, rid)
    times: dict[str, list] = {"base": [], "top": [], "all": [], "sizes": []}
    for i in range(rounds):
        rid = request_ids[i % len(request_ids)]
        req = planning.get_request(db, rid)
        role = req["roles"][0]
        params = {
            "skill": role["skill_id"],
            "level": role["min_level"],
            "start": req["start_date"],
            "end": req["end_date"],
        }
        t0 = time.perf_counter()
        db.conn.execute(planning.AVAILABLE_SQL, params).fetchall()
        times["base"].append((time.perf_counter() - t0) * 1000)
        # What `fms match` and the notebook show.
        t0 = time.perf_counter()
        planning.rank_candidates(db, rid, top=top)
        times["top"].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        ranked = planning.rank_candidates(db, rid)
        times["all"].append((time.perf_counter() - t0) * 1000)
        times["sizes"].append(len(ranked))
    return times


def bench_ranking(db, request_ids: list[int], rounds: int, top: int) -> None:
    """The ranking figures, and their ratios to the baseline measured in the same rounds."""
    times = measure_ranking(db, request_ids, rounds, top)
    p50, base50 = statistics.median(times["top"]), statistics.median(times["base"])
    full50 = statistics.median(times["all"])
    emit(
        "match_p50_ms",
        p50,
        50,
        top=top,
        baseline_ms=round(base50, 3),
        ratio=round(p50 / base50, 2),
        candidates_median=statistics.median(times["sizes"]),
    )
    emit("match_p95_ms", percentile(times["top"], 0.95), 150, top=top)
    emit("match_vs_available_query_ratio", p50 / base50, 2, top=top, baseline_ms=round(base50, 3))
    emit(
        "match_all_explained_p50_ms",
        full50,
        50,
        p95_ms=round(percentile(times["all"], 0.95), 3),
        ratio=round(full50 / base50, 2),
    )
    emit(
        "match_all_explained_vs_available_query_ratio",
        full50 / base50,
        3,
        baseline_ms=round(base50, 3),
    )


def bench_missions(db, rng: random.Random, today: dt.date) -> None:
    """Missions with their conflict check: distinct freelancers, far in the future."""
    ids = [
        r[0]
        for r in db.execute(
            "SELECT id FROM freelancers WHERE status IN ('active', 'alumni') "
            "AND opted_out_at IS NULL AND daily_rate IS NOT NULL"
        ).fetchall()
    ]
    rng.shuffle(ids)
    create_ms = []
    far = today + dt.timedelta(days=600)  # within the date window (today + 3 years)
    for fid in ids[: min(300, len(ids))]:
        start = far + dt.timedelta(days=rng.randint(0, 300))
        t0 = time.perf_counter()
        planning.create_mission(db, freelancer_id=fid, project="Bench project", start=start, days=5)
        create_ms.append((time.perf_counter() - t0) * 1000)
    emit(
        "mission_create_p50_ms",
        statistics.median(create_ms),
        5,
        p95_ms=round(percentile(create_ms, 0.95), 3),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--freelancers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200, help="Ranking calls measured.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=20, help="Candidates explained per ranking.")
    parser.add_argument("--fresh", action="store_true", help="Regenerate the database.")
    args = parser.parse_args(argv)
    today = clock.today()
    db, work = open_copy(args.freelancers, args.seed, args.fresh, today)
    try:
        rng = random.Random(args.seed)
        request_ids = make_requests(db, rng)
        bench_ranking(db, request_ids, args.rounds, args.top)
        bench_missions(db, rng, today)
    finally:
        db.close()
        remove(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
