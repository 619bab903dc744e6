"""bench/cashapp: cash application on the generated corpus with truth.

Quality  corpus_generate(accounts=3,000, receipts=20,000, seed=1): share of receipts booked
         automatically and precision of those bookings (exactly the true items and cash), for
         the engine without knowledge (cold), after learning the corpus' history of confirmed
         receipts (learned), and for the naive baseline measured in the same run: a document
         number written exactly as ours in the remittance text plus an amount equal to those
         documents' sum.
Speed    --receipts receipts against --items open items (100,000 accounts): index build, then
         the batch path on 1 process and on a pool of 2; each in its own subprocess, peak
         memory = its VmHWM (generation of the corpus included, since the process holds it).

.venv/bin/python bench/cashapp.py [--quality 20000] [--receipts 1000000] [--items 1000000]
                                  [--processes 1 2] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
sys.path.insert(0, str(HERE.parent / "src"))


def vmhwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def naive(corpus):
    """Exact reference plus exact amount: document numbers written exactly as ours."""
    from decimal import Decimal

    by_number = {it.document_number: it for it in corpus.open_items}
    token = re.compile(r"[A-Z]+-\d+")
    out = {}
    for r in corpus.receipts:
        found = []
        for tok in token.findall((r.remittance_info or "").upper() + " " + r.reference.upper()):
            it = by_number.get(tok)
            if it is not None and it.currency == r.currency and it not in found:
                found.append(it)
        if found and sum((it.open_amount for it in found), Decimal(0)) == r.amount:
            out[r.transaction_id] = {it.item_id: it.open_amount for it in found}
    return out


def quality(n: int) -> dict:
    from salesops.engines.matching import AUTO, Knowledge, knowledge_learn_many, match_batch
    from salesops.engines.matching.corpus import corpus_generate, is_correct

    t = time.perf_counter()
    corpus = corpus_generate(accounts=max(100, n // 7), receipts=n, seed=1)
    gen = time.perf_counter() - t
    out = {"receipts": n, "open_items": len(corpus.open_items), "generate_s": round(gen, 1)}

    def score(booked: dict) -> dict:
        wrong = sum(not is_correct(got, corpus.truth[tid]) for tid, got in booked.items())
        return {
            "auto": len(booked),
            "auto_rate": round(len(booked) / n, 4),
            "wrong": wrong,
            "precision": round(1 - wrong / max(1, len(booked)), 5),
        }

    for label, knowledge in (
        ("cold", Knowledge()),
        ("learned", knowledge_learn_many(Knowledge(), corpus.history)),
    ):
        t = time.perf_counter()
        booked = {}
        per_scenario: dict[str, list[int]] = {}
        for r, res in zip(
            corpus.receipts,
            match_batch(corpus.receipts, items=corpus.open_items, knowledge=knowledge),
            strict=True,
        ):
            sc = per_scenario.setdefault(corpus.scenario[r.transaction_id], [0, 0])
            sc[0] += 1
            if res.decision == AUTO:
                sc[1] += 1
                booked[r.transaction_id] = {a.item_id: a.amount for a in res.best.allocations}
        out[label] = score(booked) | {"seconds": round(time.perf_counter() - t, 1)}
        out[label]["by_scenario"] = {k: round(v[1] / v[0], 3) for k, v in per_scenario.items()}
    out["naive"] = score(naive(corpus))
    out["peak_mb"] = round(vmhwm_mb())
    return out


def speed(receipts: int, items: int, processes: int) -> dict:
    from salesops.engines.matching import (
        AUTO,
        Knowledge,
        index_build,
        knowledge_learn_many,
        match_batch,
    )
    from salesops.engines.matching.corpus import corpus_generate

    t = time.perf_counter()
    corpus = corpus_generate(accounts=100_000, receipts=receipts, seed=5, open_items=items)
    gen = time.perf_counter() - t
    knowledge = knowledge_learn_many(Knowledge(), corpus.history)
    t = time.perf_counter()
    ix = index_build(corpus.open_items, knowledge)
    build = time.perf_counter() - t
    gen_mb = vmhwm_mb()
    t = time.perf_counter()
    auto = 0
    for res in match_batch(corpus.receipts, items=ix, processes=processes, chunksize=1024):
        auto += res.decision == AUTO
    match = time.perf_counter() - t
    return {
        "receipts": receipts,
        "items": items,
        "processes": processes,
        "generate_s": round(gen, 1),
        "index_s": round(build, 1),
        "match_s": round(match, 1),
        "receipts_per_s": round(receipts / match),
        "auto_rate": round(auto / receipts, 4),
        "peak_mb_after_index": round(gen_mb),
        "peak_mb": round(vmhwm_mb()),
    }


def child(args: list[str]) -> dict:
    p = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if p.returncode:
        raise SystemExit(p.stderr)
    return json.loads(p.stdout.strip().splitlines()[-1])


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[:3].__str__()
    except OSError:
        return "?"


def section(q: dict, speeds: list[dict], cmd: str) -> str:
    lines = [
        "## bench/cashapp",
        "",
        f"{dt.date.today().isoformat()}; 2 CPUs shared with other work (load average at the end "
        f"{load()}), Python {platform.python_version()}. `{cmd}`. Corpus from "
        "`salesops.engines.matching.corpus.corpus_generate` (seeded; scenarios and weights in "
        "`SCENARIOS`: 5 % of receipts belong to nobody, so 95 % is the ceiling for the auto rate). "
        "A booking is right when it pays exactly the true items with the true cash.",
        "",
        f"Quality: {q['receipts']:,} receipts against {q['open_items']:,} open items.",
        "",
        "| matcher | booked automatically | wrong | precision of automatic bookings |",
        "| --- | --- | --- | --- |",
    ]
    for key, label in (
        ("naive", "naive baseline: exact reference + exact amount"),
        ("cold", "engine, nothing learned"),
        ("learned", "engine after learning the history of confirmed receipts"),
    ):
        m = q[key]
        lines.append(
            f"| {label} | {m['auto']:,} ({m['auto_rate']:.1%}) | {m['wrong']} | "
            f"{m['precision']:.3%} |"
        )
    lines += [
        "",
        "Auto rate by scenario (learned): "
        + ", ".join(f"{k} {v:.0%}" for k, v in sorted(q["learned"]["by_scenario"].items()))
        + ".",
        "",
        "Throughput (batch path, index built once, receipts streamed; history learned first):",
        "",
        "| receipts | open items | processes | index build s | match s | receipts/s | "
        "peak MB (VmHWM) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in speeds:
        lines.append(
            f"| {s['receipts']:,} | {s['items']:,} | {s['processes']} | {s['index_s']} | "
            f"{s['match_s']} | {s['receipts_per_s']:,} | {s['peak_mb']:,} |"
        )
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    old = RESULTS.read_text(encoding="utf-8")
    start = old.find("## bench/cashapp")
    if start >= 0:
        end = old.find("\n## ", start + 5)
        new = old[:start] + text + (old[end + 1 :] if end >= 0 else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(new, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quality", type=int, default=20_000)
    ap.add_argument("--receipts", type=int, default=1_000_000)
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--processes", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--no-write", dest="write", action="store_false")
    ap.add_argument("--child", nargs="*")
    a = ap.parse_args()
    if a.child:
        kind, *rest = a.child
        if kind == "quality":
            print(json.dumps(quality(int(rest[0]))))
        else:
            print(json.dumps(speed(int(rest[0]), int(rest[1]), int(rest[2]))))
        return
    q = child(["--child", "quality", str(a.quality)])
    print(json.dumps(q, indent=1), flush=True)
    speeds = []
    for p in a.processes:
        s = child(["--child", "speed", str(a.receipts), str(a.items), str(p)])
        print(json.dumps(s), flush=True)
        speeds.append(s)
    text = section(q, speeds, "python bench/cashapp.py " + " ".join(sys.argv[1:]))
    print(text)
    if a.write:
        write_section(text)


if __name__ == "__main__":
    main()
