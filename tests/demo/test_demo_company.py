"""The demo company: a realistic, messy, scoped company and its demo logins."""

from __future__ import annotations

import csv
import io

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from stdnum.cn import uscc

from salesops.core.models import OrgUnit, Person, User
from salesops.core.scoping import scope_for
from salesops.demo import DEMO_LOGINS, demo_login_lines
from salesops.masterdata import selectors
from salesops.masterdata.models import Account, Contact, FxRate, PriceBook, Product

pytestmark = pytest.mark.django_db


def test_small_company_has_about_two_thousand_accounts_of_every_kind(demo):
    assert 1_800 <= Account.objects.count() <= 2_200
    assert Contact.objects.count() >= Account.objects.count()
    types = set(Account.objects.values_list("type", flat=True).distinct())
    assert types == {"customer", "partner", "prospect"}
    currencies = dict(
        (c, Account.objects.filter(currency=c).count()) for c in ("CNY", "USD", "EUR")
    )
    assert currencies["CNY"] > currencies["USD"] > 0 and currencies["EUR"] > 0
    assert Account.objects.filter(parent__isnull=False).count() > 50  # groups and subsidiaries
    assert Account.objects.filter(salesforce_id__isnull=False).exists()
    assert Account.objects.filter(sap_number__isnull=False).exists()


def test_account_names_are_chinese_and_english(demo):
    names = list(Account.objects.values_list("name", flat=True))
    chinese = [n for n in names if any("\u4e00" <= ch <= "\u9fff" for ch in n)]
    assert 0.3 * len(names) < len(chinese) < 0.9 * len(names)
    assert any(n.endswith("有限公司") for n in chinese)
    assert any(n.endswith(("Ltd", "Ltd.", "Limited")) for n in names)


def test_org_tree_has_every_level_with_reps_in_territories_and_managers_above(demo):
    for level in range(5):
        assert OrgUnit.objects.filter(level=level).exists(), level
    assert not Person.objects.filter(kind="rep").exclude(org_unit__level=4).exists()
    assert Person.objects.filter(kind="manager", org_unit__level=3).exists()
    assert Person.objects.filter(kind="manager", org_unit__level=2).exists()
    assert Person.objects.filter(kind="coordinator").exists()
    assert Person.objects.filter(kind="finance").exists()


def test_catalog_has_priced_and_costed_products_and_monthly_fx_rates(demo):
    assert Product.objects.count() == demo.size.products
    books = {b.currency: b for b in PriceBook.objects.all()}
    assert books["CNY"].is_standard and "USD" in books
    product = Product.objects.order_by("sku").first()
    assert product.prices.filter(price_book=books["CNY"]).count() == 2  # effective-dated
    assert product.costs.count() == 2
    assert FxRate.objects.filter(base="USD", quote="CNY").count() == 36


def test_every_demo_login_can_log_in_with_password_demo_and_lands_on_home(demo, client):
    for username, _role, _label in DEMO_LOGINS:
        response = client.post(reverse("core:login"), {"username": username, "password": "demo"})
        assert response.status_code == 302, username
        assert response.url == reverse("home")
        assert client.get(reverse("home")).status_code == 200
        client.logout()


def test_demo_login_lines_name_each_login_and_its_password(demo):
    lines = demo_login_lines()
    assert len(lines) == len(DEMO_LOGINS)
    for line, (username, _role, _label) in zip(lines, DEMO_LOGINS, strict=True):
        assert line.startswith(username + " ") and line.endswith("demo")


def test_partner_logins_belong_to_two_different_channel_partners_of_the_rep(demo):
    p1 = User.objects.get(username="partner").portal_contact.account
    p2 = User.objects.get(username="partner2").portal_contact.account
    assert p1.pk != p2.pk
    assert p1.type == p2.type == "partner"
    rep = User.objects.get(username="rep")
    manager = User.objects.get(username="manager")
    for user in (rep, manager):
        visible = selectors.account_queryset(user=user)
        assert visible.filter(pk__in=[p1.pk, p2.pk]).count() == 2, user.username
    for username, own in (("partner", p1), ("partner2", p2)):
        seen = list(selectors.account_queryset(user=User.objects.get(username=username)))
        assert seen == [own]


def test_manager_sees_a_subtree_with_reps_and_their_accounts(demo):
    manager = User.objects.get(username="manager")
    scope = scope_for(manager)
    assert scope.kind == "subtree"
    reps = Person.objects.filter(kind="rep", org_unit__path__startswith=scope.org_path)
    assert reps.count() >= 2
    assert User.objects.get(username="rep").person in reps
    visible = selectors.account_queryset(user=manager)
    assert 0 < visible.count() < Account.objects.count()
    assert visible.filter(owner__in=reps).count() > 10
    rep_visible = selectors.account_queryset(user=User.objects.get(username="rep"))
    assert 0 < rep_visible.count() < visible.count()


def test_demo_with_if_empty_on_a_loaded_database_changes_nothing(demo):
    before = (Account.objects.count(), Contact.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("demo", "--if-empty", "--size", "small", "--seed", "2", stdout=out)
    assert "not loaded again" in out.getvalue()
    assert (Account.objects.count(), Contact.objects.count(), User.objects.count()) == before


def test_demo_without_if_empty_refuses_a_database_that_has_accounts(demo):
    with pytest.raises(CommandError, match="already has accounts"):
        call_command("demo", "--size", "small")


def test_duplicates_are_messy_copies_and_the_truth_file_names_them(demo):
    path = demo.data_dir / "demo" / "duplicates_truth.csv"
    with path.open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    assert len(truth) >= 20
    numbers = {r["duplicate_number"] for r in truth} | {r["original_number"] for r in truth}
    assert Account.objects.filter(number__in=numbers).count() == len(numbers)
    renamed = [r for r in truth if r["duplicate_name"] != r["original_name"]]
    assert len(renamed) >= 0.8 * len(truth)
    mess = {kind for r in truth for kind in r["mess"].split("|")}
    assert {"typo", "abbreviation"} <= mess


def test_phones_tax_ids_and_emails_include_valid_missing_and_invalid_values(demo):
    cn = Account.objects.filter(billing_country="CN")
    phones = list(cn.values_list("phone", flat=True))

    def valid_phone(p):
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(p, "CN"))
        except phonenumbers.NumberParseException:
            return False

    valid = sum(map(valid_phone, [p for p in phones if p]))
    assert valid > 0.7 * len(phones)
    assert "" in phones and len([p for p in phones if p and not valid_phone(p)]) > 10
    tax_ids = [t for t in cn.values_list("tax_id", flat=True) if t]
    invalid_tax = [t for t in tax_ids if not uscc.is_valid(t)]
    assert len(invalid_tax) > 10 and len(tax_ids) - len(invalid_tax) > 0.8 * len(tax_ids)
    emails = list(Account.objects.values_list("email", flat=True))
    assert "" in emails and any(e and e.count("@") != 1 for e in emails)
    swapped = Account.objects.filter(billing_street__endswith="市", billing_country="CN")
    assert swapped.exists()  # a city typed into the street field
