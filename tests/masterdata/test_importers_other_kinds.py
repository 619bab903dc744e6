"""Contacts, products and people (`users`) through their presets."""

from __future__ import annotations

import pytest

from salesops.core.imports.framework import import_run
from salesops.core.models import Person
from salesops.masterdata.models import Account, Contact, Product, ProductFamily


def write(path, text: str, encoding="utf-8-sig"):
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


@pytest.mark.django_db
def test_salesforce_contacts_attach_to_accounts_by_account_id(company, tmp_path):
    company.acct_rep1.salesforce_id = "001D000000IqhSLIAZ"
    company.acct_rep1.save()
    path = write(
        tmp_path / "Contact.csv",
        "Id,AccountId,FirstName,LastName,Email,IsDeleted\n"
        "003D000000QOJgW,001D000000IqhSL,Mei,Han,han@x.cn,false\n"
        "003D000000QOJgX,001D000000ZZZZZ,No,Account,,false\n",
    )
    res = import_run(path=path, kind="contacts", commit=True, skip_invalid=True)
    assert res.preset == "salesforce" and (res.created, res.rejected) == (1, 1)
    assert res.errors[0].column == "AccountId" and res.errors[0].row == 3
    c = Contact.objects.get(last_name="Han")
    assert c.account == company.acct_rep1 and len(c.salesforce_id) == 18


@pytest.mark.django_db
def test_hubspot_contacts_attach_by_associated_company_id(company, tmp_path):
    Account.objects.filter(pk=company.acct_rep2.pk).update(hubspot_id="777")
    path = write(
        tmp_path / "contacts.csv",
        "Record ID,First Name,Last Name,Email,Associated Company ID\n901,Li,Na,li@x.cn,777\n",
    )
    res = import_run(path=path, kind="contacts", commit=True)
    assert res.preset == "hubspot" and res.created == 1
    assert Contact.objects.get(hubspot_id="901").account_id == company.acct_rep2.pk


@pytest.mark.django_db
def test_products_resolve_family_and_are_keyed_by_sku(tmp_path):
    ProductFamily.objects.create(code="HW", name="Hardware")
    path = write(
        tmp_path / "Product2.csv",
        "Id,Name,ProductCode,Family,IsActive\n01t000000000001,Widget,SKU-1,Hardware,true\n"
        "01t000000000002,Gadget,SKU-2,Nope,true\n",
    )
    res = import_run(path=path, kind="products", commit=True, skip_invalid=True)
    assert (res.created, res.rejected) == (1, 1) and res.errors[0].value == "Nope"
    assert Product.objects.get(sku="SKU-1").family.code == "HW"
    again = import_run(path=path, kind="products", commit=True, skip_invalid=True)
    assert (again.created, again.unchanged) == (0, 1)


@pytest.mark.django_db
def test_salesforce_users_become_people_not_logins(company, tmp_path):
    path = write(
        tmp_path / "User.csv",
        "Id,FirstName,LastName,Email,IsActive,Username\n"
        "005D0000001AbCd,Lin,Zhou,lin@x.cn,true,lin@x.cn.sf\n",
    )
    res = import_run(path=path, kind="users", commit=True)
    assert res.created == 1, res.errors
    p = Person.objects.get(external_id="005D0000001AbCdIAK")
    assert (p.name, p.user, p.org_unit) == ("Lin Zhou", None, company.company)


@pytest.mark.django_db
def test_imported_people_own_imported_accounts(company, tmp_path):
    write(tmp_path / "User.csv", "Id,Name\n005D0000001AbCd,Lin Zhou\n")
    import_run(path=tmp_path / "User.csv", kind="users", preset="salesforce", commit=True)
    write(tmp_path / "Account.csv", "Id,Name,OwnerId\n001D000000IqhSL,Owned,005D0000001AbCdIAK\n")
    res = import_run(path=tmp_path / "Account.csv", kind="accounts", commit=True)
    assert res.created == 1, res.errors
    assert Account.objects.get(name="Owned").owner.name == "Lin Zhou"
