"""The import wizard over HTTP: upload -> mapping -> preview -> commit (job) -> report."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from salesops.core.models import ImportBatch, Job
from salesops.masterdata.models import Account

CSV = (
    "\ufeffId,Name,BillingCity,BillingCountry\r\n"
    "001D000000IqhSL,Alpha Ltd,Shanghai,China\r\n"
    "001D000000IqhSM,Beta GmbH,München,Germany\r\n"
).encode()


@pytest.fixture
def immediate_huey():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def _upload(client, data=CSV, name="Account.csv", **extra):
    return client.post(
        reverse("imports:wizard"),
        {"kind": "accounts", "preset": "", "file": SimpleUploadedFile(name, data), **extra},
    )


@pytest.mark.parametrize("role", ["finance", "manager", "rep", "partner"])
@pytest.mark.django_db
def test_only_coordinators_and_admins_may_import(company, login, role):
    client = login(role)
    assert client.get(reverse("imports:wizard")).status_code == 403
    assert _upload(client).status_code == 403
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_wizard_upload_detects_preset_and_keeps_the_file(company, login, settings):
    resp = _upload(login("coordinator"))
    batch = ImportBatch.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("imports:mapping", args=[batch.pk])
    assert batch.preset == "salesforce" and batch.stored_path.startswith(str(settings.UPLOAD_DIR))


@pytest.mark.django_db
def test_wizard_full_flow_commits_as_a_job(company, login, immediate_huey):
    client = login("coordinator")
    _upload(client)
    batch = ImportBatch.objects.get()
    page = client.get(reverse("imports:mapping", args=[batch.pk]))
    assert b"BillingCity" in page.content
    mapping = {f"col_{i}": f for i, f in enumerate(["salesforce_id", "name", "billing_city", ""])}
    resp = client.post(reverse("imports:mapping", args=[batch.pk]), mapping)
    assert resp.url == reverse("imports:preview", args=[batch.pk])
    preview = client.get(resp.url)
    assert b"count-created" in preview.content and not Account.objects.filter(name="Alpha Ltd")
    batch.refresh_from_db()
    assert batch.created == 2 and batch.status == "previewed"
    resp = client.post(reverse("imports:commit", args=[batch.pk]))
    assert resp.url == reverse("imports:report", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == "committed" and batch.job.status == Job.Status.SUCCEEDED
    alpha = Account.objects.get(name="Alpha Ltd")
    assert alpha.billing_city == "Shanghai" and alpha.billing_country == ""  # column ignored
    report = client.get(reverse("imports:report", args=[batch.pk]))
    assert b"accounts-link" in report.content


@pytest.mark.django_db
def test_wizard_preview_lists_row_errors_and_serves_the_xlsx(company, login):
    client = login("coordinator")
    bad = CSV + b"not-an-id,Gamma,Beijing,CN\r\n"
    _upload(client, bad)
    batch = ImportBatch.objects.get()
    mapping = {f"col_{i}": f for i, f in enumerate(["salesforce_id", "name", "billing_city", ""])}
    client.post(reverse("imports:mapping", args=[batch.pk]), mapping)
    page = client.get(reverse("imports:preview", args=[batch.pk]))
    assert b"not-an-id" in page.content and b"disabled" in page.content
    xlsx = client.get(reverse("imports:errors", args=[batch.pk]))
    assert xlsx.status_code == 200 and xlsx.getvalue()[:2] == b"PK"


@pytest.mark.django_db
def test_wizard_rejects_an_empty_file_with_a_clear_message(company, login):
    resp = _upload(login("coordinator"), b"", name="empty.csv")
    assert resp.status_code == 400 and b"empty.csv is empty" in resp.content


@pytest.mark.django_db
def test_template_downloads(company, login):
    client = login("coordinator")
    resp = client.get(reverse("imports:template", args=["accounts", "csv"]))
    assert resp.status_code == 200 and b"account_number" in resp.content
    resp = client.get(reverse("imports:template", args=["accounts", "xlsx"]))
    assert resp.content[:2] == b"PK"


def test_wizard_names_fields_as_people_know_them_not_as_stored(company, login):
    """The mapping and the change sample say "billing city" (or 开票城市), never the column
    name billing_city, and never show the internal search key."""
    client = login("coordinator")
    _upload(client)
    batch = ImportBatch.objects.get()
    mapping_page = client.get(reverse("imports:mapping", args=[batch.pk])).content.decode()
    assert ">billing city</option>" in mapping_page and ">billing_city<" not in mapping_page
    mapping = {f"col_{i}": f for i, f in enumerate(["salesforce_id", "name", "billing_city", ""])}
    preview = client.get(client.post(reverse("imports:mapping", args=[batch.pk]), mapping).url)
    text = preview.content.decode()
    assert "billing city: " in text
    assert "billing_city" not in text and "name_search" not in text
