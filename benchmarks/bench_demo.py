"""The demo generator at scale: `fms demo --freelancers 10000` must take under 60 s (issue 2).

The baseline is the raw cost of writing the same number of rows with one ``executemany`` per
table into an empty database with the same schema (no generation, no index rebuild), measured
in the same run: the ratio says how much the generation itself costs on top of SQLite.

    python benchmarks/bench_demo.py [--freelancers 10000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from fmstoolkit import db as dbmod
from fmstoolkit import demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--freelancers", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fms-bench-demo-") as folder:
        path = Path(folder) / "demo.db"
        start = time.perf_counter()
        counts = demo.create(path, freelancers=args.freelancers, seed=0)
        seconds = time.perf_counter() - start
        database = dbmod.open_db(path)
        rows = {t: database.execute(f"SELECT * FROM [{t}]").fetchall() for t in counts}
        columns = {t: [c.name for c in database[t].columns] for t in counts}
        database.close()
        raw = dbmod.open_db(Path(folder) / "raw.db", create=True)
        for kind, name in raw.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL"
        ).fetchall():
            raw.execute(f"DROP {kind.upper()} [{name}]")
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("DELETE FROM skill_aliases")
        raw.execute("DELETE FROM skills")
        start = time.perf_counter()
        with raw.atomic():
            for table in ["skills", *counts]:
                data = rows.get(table) or []
                if table == "skills" or not data:
                    continue
                marks = ", ".join("?" for _ in columns[table])
                raw.conn.executemany(f"INSERT INTO [{table}] VALUES ({marks})", data)
        baseline = time.perf_counter() - start
        raw.close()
    print(json.dumps({
        "bench": "demo_seconds", "freelancers": args.freelancers, "value": round(seconds, 2),
        "target": 60, "ok": seconds < 60, "baseline_s": round(baseline, 2),
        "ratio": round(seconds / baseline, 2), "missions": counts["missions"],
        "notes": counts["notes"], "unavailability": counts["unavailability"],
    }))


if __name__ == "__main__":
    main()
