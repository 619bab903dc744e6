"""Account list paging and search stay index-shaped (no COUNT, no OFFSET, no LIKE scans) and
still return exactly what the plain, slow query would."""

from __future__ import annotations

import pytest

from salesops.core.models import Person
from salesops.masterdata import selectors
from salesops.masterdata.models import Account
from salesops.masterdata.selectors import AccountFilters

pytestmark = pytest.mark.django_db


def _make(company, names, territory, owner, prefix="B"):
    for i, name in enumerate(names):
        Account.objects.create(
            number=f"{prefix}{i:07d}", name=name, territory=territory, owner=owner
        )


def _walk(user, filters=None, limit=3):
    """Every page, following the keyset, as the view does."""
    seen, after = [], None
    while True:
        rows, more = selectors.account_page(user=user, filters=filters, after=after, limit=limit)
        seen += [a.pk for a in rows]
        if not more:
            return seen
        after = (rows[-1].name_search, rows[-1].pk)


def test_manager_pages_list_the_whole_subtree_in_name_order_without_gaps_or_repeats(company):
    outsider = Person.objects.create(name="Out Sider", kind="rep", org_unit=company.region)
    _make(company, [f"Alpha {i % 4}" for i in range(9)], company.t1, company.rep1, "B")
    _make(company, [f"alpha {i % 3}" for i in range(7)], company.t2, company.rep2, "C")
    # owned by someone in the subtree but placed outside it, and the other way round
    _make(company, ["Alpha 1", "Beta"], None, company.rep1, "D")
    _make(company, ["Alpha 2"], company.t1, outsider, "E")
    manager = company.users["manager"]
    expected = list(
        Account.objects.filter(pk__in=selectors.account_queryset(user=manager).values("pk"))
        .order_by("name_search", "id")
        .values_list("pk", flat=True)
    )
    assert len(expected) > 20
    assert _walk(manager) == expected


def test_keyset_pages_for_a_rep_follow_name_then_id(company):
    _make(company, ["Same Name"] * 5 + ["Other"], company.t1, company.rep1)
    rep = company.users["rep"]
    expected = list(selectors.account_list(user=rep).values_list("pk", flat=True))
    assert _walk(rep, limit=2) == expected


def test_name_prefix_search_is_case_and_width_insensitive(company):
    _make(
        company,
        ["ＡＢＣ Trading", "abc Logistics", "Abd Foods", "上海东方电子"],
        company.t1,
        company.rep1,
    )
    admin = company.users["admin"]

    def names(q):
        rows, _ = selectors.account_page(user=admin, filters=AccountFilters(q=q), limit=50)
        return sorted(a.name for a in rows)

    assert names("abc") == sorted(["abc Logistics", "ＡＢＣ Trading"])
    assert names("AB") == sorted(["abc Logistics", "Abd Foods", "ＡＢＣ Trading"])
    assert names("上海") == ["上海东方电子", "上海东方贸易有限公司"]
    assert names("bc") == []  # the start of the name, not anywhere in it


def test_search_finds_an_account_by_number_sap_number_and_tax_id_in_any_case(company):
    a = company.acct_rep2
    Account.objects.filter(pk=a.pk).update(sap_number="100777", tax_id="91310115MA1K3YJ12X")
    admin = company.users["admin"]
    for q in (a.number.lower(), "100777", "91310115ma1k3yj12x"):
        rows, _ = selectors.account_page(user=admin, filters=AccountFilters(q=q), limit=50)
        assert [r.pk for r in rows] == [a.pk], q


def test_manager_search_does_not_reach_outside_the_subtree(company):
    manager = company.users["manager"]
    rows, _ = selectors.account_page(
        user=manager, filters=AccountFilters(q=company.outside.number), limit=50
    )
    assert rows == []


def test_name_search_finds_names_with_stray_white_space(company):
    """CRM exports carry leading, trailing and doubled spaces; the search key folds them."""
    from salesops.masterdata.models import Account
    from salesops.masterdata.selectors import AccountFilters, account_list

    Account.objects.create(
        number="A0000900", name=" 创汇科技  有限公司 ", territory=company.t1, owner=company.rep1
    )
    coordinator = company.users["coordinator"]
    for query in ("创汇", " 创汇科技 有限", "创汇科技  有限公司"):
        found = account_list(user=coordinator, filters=AccountFilters(q=query))
        assert [a.number for a in found] == ["A0000900"], query


@pytest.mark.django_db
def test_name_search_orders_by_code_point_on_every_database():
    """The prefix range is only right under code-point order; PostgreSQL databases created
    with a language collation would break it, so the column carries COLLATE "C" there."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite compares text by code point (BINARY) already")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'masterdata_account' AND column_name = 'name_search'"
        )
        assert cur.fetchone()[0] == "C"
