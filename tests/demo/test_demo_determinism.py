"""The demo company is a function of its seed."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.db import transaction

from salesops.demo import demo_login_lines, generate


def _canonical_dump(data_dir) -> str:
    """Everything the generator wrote, by natural keys (ids and timestamps left out)."""
    from salesops.core.models import OrgUnit, Person, User
    from salesops.masterdata.models import (
        Account,
        Contact,
        FxRate,
        PriceBookEntry,
        Product,
        StandardCost,
    )

    parts = {
        "org": list(OrgUnit.objects.order_by("code").values_list("code", "name", "parent__code")),
        "people": list(
            Person.objects.order_by("external_id").values_list(
                "external_id", "name", "kind", "org_unit__code", "user__username"
            )
        ),
        "users": list(User.objects.order_by("username").values_list("username", "role")),
        "accounts": list(
            Account.objects.order_by("number").values_list(
                *[
                    f.attname
                    for f in Account._meta.concrete_fields
                    if f.attname
                    not in ("id", "parent_id", "territory_id", "owner_id", "payment_term_id")
                    and f.attname not in ("created_at", "updated_at")
                ],
                "parent__number",
                "territory__code",
                "owner__external_id",
                "payment_term__code",
            )
        ),
        "contacts": list(
            Contact.objects.order_by("account__number", "id").values_list(
                "account__number", "first_name", "last_name", "title", "email", "phone"
            )
        ),
        "products": list(
            Product.objects.order_by("sku").values_list("sku", "name", "family__code")
        ),
        "prices": list(
            PriceBookEntry.objects.order_by(
                "price_book__name", "product__sku", "valid_from"
            ).values_list("price_book__name", "product__sku", "unit_price", "valid_from")
        ),
        "costs": list(
            StandardCost.objects.order_by("product__sku", "valid_from").values_list(
                "product__sku", "cost", "valid_from"
            )
        ),
        "fx": list(FxRate.objects.values_list("base", "quote", "rate", "valid_from")),
        "truth": (data_dir / "demo" / "duplicates_truth.csv").read_text(encoding="utf-8"),
        "receivables": _receivables_totals(),
    }
    assert parts["receivables"]["invoices"][0] > 1_000
    assert parts["accounts"] and parts["contacts"] and parts["truth"].count("\n") > 1
    return json.dumps(parts, default=str, ensure_ascii=False, sort_keys=True)


def _receivables_totals() -> dict:
    """Counts and totals of the year of receivables (its dates follow today, its numbers only
    the seed)."""
    from django.db.models import Count, Sum

    from salesops.receivables import models as r

    def totals(qs, field="amount"):
        row = qs.aggregate(n=Count("pk"), total=Sum(field))
        return [row["n"], str(row["total"].quantize(Decimal("0.01")))]

    return {
        "invoices": totals(r.Invoice.objects.all()),
        "open": totals(r.Invoice.objects.filter(status="open"), "open_amount"),
        "payments": totals(r.Payment.objects.all()),
        "credit notes": totals(r.CreditNote.objects.all()),
        "ledger": totals(r.LedgerEntry.objects.all()),
        "order lines": totals(r.SalesOrderLine.objects.all(), "quantity"),
        "numbers": list(r.Invoice.objects.order_by("number").values_list("number", "amount")),
    }


def _generate_and_hash(seed: int, data_dir) -> str:
    with transaction.atomic():
        generate(size="small", seed=seed, data_dir=data_dir, out=lambda line: None)
        digest = hashlib.sha256(_canonical_dump(data_dir).encode()).hexdigest()
        transaction.set_rollback(True)
    return digest


def test_same_seed_gives_the_same_company_and_another_seed_a_different_one(db, tmp_path):
    first = _generate_and_hash(7, tmp_path / "a")
    second = _generate_and_hash(7, tmp_path / "b")
    other = _generate_and_hash(8, tmp_path / "c")
    assert first == second
    assert other != first


def test_demo_login_lines_are_empty_without_the_demo_logins(company):
    """A database whose users were not made by the demo command prints no demo logins."""
    assert demo_login_lines() == []
