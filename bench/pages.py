"""bench/pages: account list, search and account 360 at 1,000,000 accounts.

    .venv/bin/python bench/pages.py                   # large demo, SQLite and PostgreSQL
    .venv/bin/python bench/pages.py --size medium --db sqlite --reps 30 --no-write

Builds (or reuses, for SQLite) a demo company in a cache directory, then times each page
with Django's test Client as the role that uses it (server time, in-process, no network):
median and p95 over many repetitions with varied parameters. Beside it, in the same run,
the queries a naive list page would run (icontains search, COUNT(*) for a page count,
OFFSET paging) against the queries this one runs, as a ratio. PostgreSQL gets a fresh
database on 127.0.0.1:5432 each run (and its generation is timed for bench/demo).
Results go to bench/RESULTS.md under "## bench/pages" and "## bench/demo".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"


# ----------------------------------------------------------------------------- child: one DB
def _stats(samples: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 2), "p95_ms": round(p95, 2)}


def _time(fn, args_list, warmup=3) -> dict:
    for a in args_list[:warmup]:
        fn(a)
    samples = []
    for a in args_list:
        t0 = time.perf_counter()
        fn(a)
        samples.append(time.perf_counter() - t0)
    return _stats(samples)


def child(args) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from salesops.core.models import User
    from salesops.demo import generate
    from salesops.masterdata import selectors
    from salesops.masterdata.models import Account

    setup_test_environment()  # lets the test Client run against this (real) database
    call_command("migrate", verbosity=0)
    result: dict = {"db": connection.vendor, "size": args.size}
    if not Account.objects.exists():
        lines: list[str] = []
        t0 = time.perf_counter()
        ctx = generate(size=args.size, seed=1, out=lines.append)
        took = time.perf_counter() - t0
        rows = sum(ctx.counts.values())
        result["generate"] = {
            "seconds": round(took, 1),
            "rows": rows,
            "accounts": ctx.counts.get("accounts", 0),
            "rows_per_s": round(rows / took),
        }
        print(f"[{connection.vendor}] generated {rows:,} rows in {took:.0f}s", file=sys.stderr)
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    else:
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")
    n_accounts = Account.objects.count()
    result["accounts"] = n_accounts
    rng = random.Random(42)
    reps = args.reps
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["coordinator", "manager", "rep", "partner"])
    }
    clients = {}
    for name, user in users.items():
        c = Client()
        c.force_login(user)
        clients[name] = c

    sample = list(
        Account.objects.order_by("?").values_list("pk", "name", "number")[:reps]
        if connection.vendor == "postgresql"
        else Account.objects.filter(
            pk__in=[rng.randrange(1, n_accounts) for _ in range(reps * 2)]
        ).values_list("pk", "name", "number")[:reps]
    )
    sample.sort()
    rng.shuffle(sample)

    def prefix(name: str) -> str:
        return name[:2] if any("\u4e00" <= ch <= "\u9fff" for ch in name[:2]) else name[:4]

    from salesops.core.models import OrgUnit

    territories = list(OrgUnit.objects.filter(level=4).values_list("pk", flat=True))
    mid = Account.objects.order_by("name_search", "id").values_list("name_search", "id")[
        n_accounts // 2
    ]
    deep_rows = list(
        Account.objects.order_by("name_search", "id").values_list("name_search", "id")[
            n_accounts // 2 : n_accounts // 2 + reps * 50 : 50
        ]
    ) or [mid]
    manager_ids = list(
        selectors.account_queryset(user=users["manager"]).values_list("pk", flat=True)[:2000]
    )
    manager_sample = [manager_ids[rng.randrange(len(manager_ids))] for _ in range(reps)]

    def page(client_name):
        c = clients[client_name]

        def get(url):
            r = c.get(url)
            assert r.status_code == 200, (url, r.status_code)

        return get

    cases = [
        ("list, first page", "coordinator", ["/accounts/"] * reps),
        (
            "search by name prefix",
            "coordinator",
            [f"/accounts/?q={prefix(n)}" for _, n, _ in sample],
        ),
        (
            "search by account number",
            "coordinator",
            [f"/accounts/?q={num}" for _, _, num in sample],
        ),
        (
            "filter by territory",
            "coordinator",
            [f"/accounts/?territory={rng.choice(territories)}" for _ in range(reps)],
        ),
        (
            "deep keyset page (middle of 1M)",
            "coordinator",
            [f"/accounts/?after_key={k}&after_id={i}" for k, i in deep_rows],
        ),
        ("rep's list", "rep", ["/accounts/"] * reps),
        ("rep's search", "rep", [f"/accounts/?q={prefix(n)}" for _, n, _ in sample]),
        ("manager's list (subtree)", "manager", ["/accounts/"] * reps),
        (
            "manager's search (subtree)",
            "manager",
            [f"/accounts/?q={prefix(n)}" for _, n, _ in sample],
        ),
        ("partner's list", "partner", ["/accounts/"] * reps),
        ("account 360", "coordinator", [f"/accounts/{pk}/" for pk, _, _ in sample]),
        ("account 360 as manager", "manager", [f"/accounts/{pk}/" for pk in manager_sample]),
    ]
    from urllib.parse import quote

    pages = {}
    for label, who, urls in cases:
        urls = [
            u.split("?")[0]
            + (
                "?"
                + "&".join(
                    f"{p.split('=')[0]}={quote(p.split('=', 1)[1])}"
                    for p in u.split("?")[1].split("&")
                )
                if "?" in u
                else ""
            )
            for u in urls
        ]
        pages[label] = {"role": who, **_time(page(who), urls)}
        print(f"[{connection.vendor}] {label:<34} {pages[label]}", file=sys.stderr)
    result["pages"] = pages

    # Same run: the queries of this list page vs a naive one (icontains, COUNT, OFFSET).
    from salesops.masterdata.selectors import AccountFilters

    coord = users["coordinator"]

    def ours_search(q):
        list(selectors.account_list(user=coord, filters=AccountFilters(q=q))[:51])

    def naive_search(q):
        qs = (
            Account.objects.select_related("territory", "owner")
            .filter(name__icontains=q)
            .order_by("name")
        )
        qs.count()
        list(qs[:50])

    def ours_deep(key_id):
        k, i = key_id
        from django.db.models import Q

        qs = (
            selectors.account_list(user=coord)
            .filter(name_search__gte=k)
            .filter(Q(name_search__gt=k) | Q(id__gt=i))
        )
        list(qs[:51])

    def naive_deep(offset):
        # the same (indexed) order, but OFFSET paging and a page count
        qs = Account.objects.select_related("territory", "owner").order_by("name_search", "id")
        qs.count()
        list(qs[offset : offset + 50])

    few = max(5, reps // 4)  # the naive versions are slow; fewer repetitions
    queries = {
        "search by name prefix": (
            _time(ours_search, [prefix(n) for _, n, _ in sample[:few]]),
            _time(naive_search, [prefix(n) for _, n, _ in sample[:few]], warmup=1),
        ),
        "deep page (middle)": (
            _time(ours_deep, deep_rows[:few]),
            _time(naive_deep, [n_accounts // 2 + 50 * k for k in range(few)], warmup=1),
        ),
    }
    result["naive"] = {
        k: {"ours": o, "naive": n, "ratio": round(n["median_ms"] / max(o["median_ms"], 0.01), 1)}
        for k, (o, n) in queries.items()
    }
    for k, v in result["naive"].items():
        print(f"[{connection.vendor}] naive {k}: {v}", file=sys.stderr)
    return result


# --------------------------------------------------------------------------- parent: orchestrate
def _run_child(db: str, size: str, reps: int, reuse: bool = False) -> dict | None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="salesops.config.settings", DEBUG="0")
    env.pop("DATABASE_URL", None)
    if db == "sqlite":
        data_dir = CACHE / f"pages-{size}-sqlite"
    else:
        data_dir = CACHE / f"pages-{size}-postgres"
        name = f"salesops_bench_pages_{size}"
        try:
            import psycopg

            with psycopg.connect(PG_URL.format(name="postgres"), autocommit=True) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [name]
                ).fetchone()
                if not (reuse and exists):
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                    conn.execute(f'CREATE DATABASE "{name}"')
        except Exception as exc:
            print(f"PostgreSQL not reachable on 127.0.0.1:5432 ({exc}); skipped", file=sys.stderr)
            return None
        env["DATABASE_URL"] = PG_URL.format(name=name)
    data_dir.mkdir(parents=True, exist_ok=True)
    env["SALESOPS_DATA_DIR"] = str(data_dir)
    cmd = [sys.executable, __file__, "--child", "--size", size, "--reps", str(reps)]
    out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["machine"] = _machine()
    (CACHE / f"pages-{size}-{db}.json").write_text(json.dumps(result, indent=1))
    return result


def _last_results(size: str, fresh: list[dict]) -> list[dict]:
    """This run's figures, plus the last saved ones for a database not run this time."""
    by_db = {("sqlite" if r["db"] == "sqlite" else "postgres"): r for r in fresh}
    for db in ("sqlite", "postgres"):
        saved = CACHE / f"pages-{size}-{db}.json"
        if db not in by_db and saved.exists():
            by_db[db] = json.loads(saved.read_text())
    return [by_db[db] for db in ("sqlite", "postgres") if db in by_db]


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()}, load average {load:.1f} at the end"
    )


def write_results(results: list[dict], reps: int) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    if not path.exists():
        path.write_text(
            "# Benchmark results\n\nFigures from `make bench` (bench/run.py); each section is "
            "written by its own script.\n"
        )
    text = path.read_text()
    today = time.strftime("%Y-%m-%d")
    lines = [
        "## bench/pages",
        "",
        f"Run {today}. `python bench/pages.py` (size {results[0]['size']}, "
        f"{reps} requests per page, varied parameters, after warm-up). Server time through "
        "Django's test Client (in-process: middleware, session, queries, template), as the role "
        "named. Aim: p95 < 150 ms.",
        "",
        *[f"- {r['db']}: {r['accounts']:,} accounts; {r.get('machine', '')}" for r in results],
        "",
        "| page | role | "
        + " | ".join(f"{r['db']} median ms | {r['db']} p95 ms" for r in results)
        + " |",
        "| --- | --- | " + " | ".join("---: | ---:" for _ in results) + " |",
    ]
    for label, first in results[0]["pages"].items():
        cells = []
        for r in results:
            p = r["pages"].get(label, {})
            cells.append(f"{p.get('median_ms', '-')} | {p.get('p95_ms', '-')}")
        lines.append(f"| {label} | {first['role']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Naive alternative, same run, queries only (no template): `name__icontains` + "
        "`COUNT(*)` + `OFFSET` paging, as a plain ORM list page would do, against this "
        "page's queries (indexed case-folded prefix range, keyset paging, no count).",
        "",
        "| query | db | ours median ms | naive median ms | naive p95 ms | naive / ours |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        for k, v in r["naive"].items():
            lines.append(
                f"| {k} | {r['db']} | {v['ours']['median_ms']} | {v['naive']['median_ms']} | "
                f"{v['naive']['p95_ms']} | {v['ratio']}x |"
            )
    gens = [r for r in results if r.get("generate")]
    demo_lines = [
        "## bench/demo",
        "",
        f"Run {today} on {_machine()}. `salesops demo --size SIZE --seed 1` timed inside "
        "bench/pages.py (all steps, one transaction; rows = org units, people, products, "
        "prices, costs, FX rates, accounts, contacts, logins).",
        "",
        "| size | db | accounts | rows | seconds | rows/s |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in gens:
        g = r["generate"]
        demo_lines.append(
            f"| {r['size']} | {r['db']} | {g['accounts']:,} | {g['rows']:,} | {g['seconds']} | "
            f"{g['rows_per_s']:,} |"
        )
    text = _replace_section(text, "## bench/pages", "\n".join(lines) + "\n")
    if gens:
        text = _replace_section(text, "## bench/demo", "\n".join(demo_lines) + "\n")
    path.write_text(text)
    print(f"wrote {path}")


def _replace_section(text: str, heading: str, body: str) -> str:
    """Replace the section that starts with `heading` (up to the next '## '), or append it."""
    start = text.find(heading + "\n")
    if start < 0:
        return text.rstrip("\n") + "\n\n" + body
    end = text.find("\n## ", start + len(heading))
    return text[:start] + body + ("\n" + text[end + 1 :] if end >= 0 else "")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--size", default="large", choices=["small", "medium", "large"])
    ap.add_argument("--db", default="sqlite,postgres", help="comma list: sqlite, postgres")
    ap.add_argument("--reps", type=int, default=60)
    ap.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    ap.add_argument(
        "--reuse-postgres", action="store_true", help="keep the last PostgreSQL demo database"
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT / "src"))
        print(json.dumps(child(args)))
        return
    results = [
        r
        for db in args.db.split(",")
        if (r := _run_child(db.strip(), args.size, args.reps, args.reuse_postgres))
    ]
    if results and not args.no_write:
        write_results(_last_results(args.size, results), args.reps)
    elif results:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
