"""The demo company: a deterministic (seeded) generator built as a list of steps.

    from salesops.demo import generate
    generate(size="small", seed=1)

Each step is `step(ctx)` over a shared DemoContext (see context.py); later issues append
steps (orders, invoices, payments, bank files, opportunities) to `steps.STEPS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .context import SIZES, DemoContext, Size
from .steps import DEMO_EMAIL_DOMAIN, DEMO_LOGINS, DEMO_PASSWORD, STEPS

__all__ = ["DEMO_LOGINS", "SIZES", "DemoContext", "Size", "demo_login_lines", "generate"]


def generate(
    *,
    size: str | Size = "small",
    seed: int = 1,
    out: Callable[[str], None] = print,
    data_dir: Path | None = None,
    steps=None,
    batch_size: int = 5_000,
) -> DemoContext:
    """Generate the demo company into the (empty) database, in one transaction."""
    from django.conf import settings
    from django.db import transaction

    size = SIZES[size] if isinstance(size, str) else size
    ctx = DemoContext(
        size=size,
        seed=seed,
        data_dir=Path(data_dir or settings.DATA_DIR),
        out=out,
        batch_size=batch_size,
    )
    out(f"Generating the {size.name} demo company (seed {seed}) ...")
    from django.db import connection

    if connection.vendor == "sqlite":
        # A 1,000,000-row insert touches index pages all over; SQLite's default 2 MB page
        # cache would re-read them from disk again and again.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only
    with transaction.atomic():
        for step in steps or STEPS:
            t0 = time.perf_counter()
            before = dict(ctx.counts)
            step(ctx)
            new = {k: v - before.get(k, 0) for k, v in ctx.counts.items() if v != before.get(k)}
            made = ", ".join(f"{v:,} {k}" for k, v in new.items())
            out(f"- {step.__name__}: {made or 'done'} in {time.perf_counter() - t0:.1f}s")
    elapsed = time.perf_counter() - ctx.started
    rows = sum(ctx.counts.values())
    out(f"Done: {rows:,} rows in {elapsed:.1f}s ({rows / max(elapsed, 1e-9):,.0f} rows/s).")
    return ctx


def demo_login_lines() -> list[str]:
    """The demo logins to print (username, role, password) when they exist, else []."""
    from salesops.core.models import User

    present = set(
        User.objects.filter(
            username__in=[u for u, _, _ in DEMO_LOGINS],
            email__endswith=f"@{DEMO_EMAIL_DOMAIN}",
            is_active=True,
        ).values_list("username", flat=True)
    )
    return [
        f"{username:<12} {label:<32} password: {DEMO_PASSWORD}"
        for username, _role, label in DEMO_LOGINS
        if username in present
    ]
