"""The shared, seeded context every demo step reads and extends."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faker import Faker


@dataclass(frozen=True)
class Size:
    """How big a demo company is. `accounts` is the total, duplicates and groups included."""

    name: str
    accounts: int
    areas: int
    regions_per_area: int
    markets_per_region: int
    territories_per_market: int
    reps_per_territory: int
    contacts_per_account: tuple[int, int]  # min, max
    products: int
    invoices: int = 0  # a year of receivables (orders, invoices, payments, credit notes)


SIZES: dict[str, Size] = {
    "small": Size("small", 2_000, 2, 2, 2, 3, 1, (1, 3), 60, invoices=3_000),
    "medium": Size("medium", 100_000, 3, 3, 3, 4, 2, (0, 2), 200, invoices=1_000_000),
    # large: ten times the accounts, the same year of invoices (spread over more of them)
    "large": Size("large", 1_000_000, 4, 4, 4, 5, 2, (0, 2), 500, invoices=1_000_000),
}


@dataclass
class DemoContext:
    """What the steps share. Each step draws from its own random stream (`rng(step)`), so a
    step added later does not change the data of the steps before it."""

    size: Size
    seed: int
    data_dir: Path
    out: Callable[[str], None] = print
    batch_size: int = 5_000
    # Filled in by the steps; later steps (orders, invoices ...) read what they need.
    company: Any = None
    areas: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    markets: list = field(default_factory=list)
    territories: list = field(default_factory=list)
    reps_by_territory: dict = field(default_factory=dict)  # territory pk -> [Person]
    managers_by_unit: dict = field(default_factory=dict)  # org unit pk -> Person
    coordinator: Any = None
    finance: Any = None
    demo_market: Any = None
    demo_rep: Any = None
    payment_terms: list = field(default_factory=list)
    products: list = field(default_factory=list)
    partner_account_ids: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def rng(self, step: str) -> random.Random:
        return random.Random(f"salesops-demo:{self.seed}:{step}")

    def faker(self, locale: str, step: str) -> Faker:
        fake = Faker(locale)
        fake.seed_instance(f"salesops-demo:{self.seed}:{step}:{locale}")
        return fake

    def count(self, what: str, n: int) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def say(self, message: str) -> None:
        self.out(message)

    @property
    def all_reps(self) -> list:
        return [p for reps in self.reps_by_territory.values() for p in reps]
