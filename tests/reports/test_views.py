"""Schedule pages and API: staff see them, coordinators manage them, partners, reps and
managers cannot reach them (404), through UI and API."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from salesops.core.models import AuditEvent
from salesops.reports.models import Delivery, Schedule
from salesops.reports.services import schedules_run_due

from .conftest import MONDAY_SLOT

OUTSIDERS = ("partner", "partner2", "rep", "manager")


@pytest.fixture
def schedule(make_schedule):
    return make_schedule()


def _pages(s, d):
    return [
        reverse("reports:schedule_list"),
        reverse("reports:delivery_log"),
        reverse("reports:schedule_create"),
        reverse("reports:schedule_detail", args=[s.pk]),
        reverse("reports:schedule_edit", args=[s.pk]),
        reverse("reports:schedule_preview", args=[s.pk]),
        reverse("reports:cron_preview") + "?cron=0+8+*+*+MON&timezone=UTC",
    ]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_partners_reps_and_managers_cannot_reach_schedules_in_the_ui(
    role, schedule, login, smtp_server
):
    schedules_run_due(now=MONDAY_SLOT)
    d = Delivery.objects.first()
    client = login(role)
    for url in _pages(schedule, d):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("reports:schedule_send_now", args=[schedule.pk]),
        reverse("reports:delivery_retry", args=[d.pk]),
        reverse("reports:schedule_create"),
    ):
        assert client.post(url).status_code == 404, url
    assert AuditEvent.objects.filter(action="schedule.send_now").count() == 0
    home = client.get("/").content.decode()
    assert reverse("reports:schedule_list") not in home


@pytest.mark.parametrize("role", OUTSIDERS)
def test_partners_reps_and_managers_cannot_reach_schedules_in_the_api(
    role, schedule, login, smtp_server
):
    schedules_run_due(now=MONDAY_SLOT)
    client = login(role)
    base = "/api/v1/schedules"
    for url in (base, f"{base}/{schedule.pk}", f"{base}/{schedule.pk}/deliveries"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert r.json()["code"] == "SCHEDULE_NOT_FOUND"
    assert client.post(f"{base}/{schedule.pk}/send-now").status_code == 404
    r = client.post(
        base,
        json.dumps({"name": "x", "kind": "statement", "cron": "0 8 1 * *"}),
        content_type="application/json",
    )
    assert r.status_code == 404
    assert Schedule.objects.count() == 1


def test_finance_sees_schedules_but_cannot_change_them(schedule, login):
    client = login("finance")
    assert client.get(reverse("reports:schedule_list")).status_code == 200
    assert client.get(reverse("reports:schedule_detail", args=[schedule.pk])).status_code == 200
    assert client.get(reverse("reports:schedule_edit", args=[schedule.pk])).status_code == 403
    assert client.post(reverse("reports:schedule_send_now", args=[schedule.pk])).status_code == 403
    r = client.post(f"/api/v1/schedules/{schedule.pk}/send-now")
    assert r.status_code == 403 and r.json()["code"] == "PERMISSION_DENIED"


def test_coordinator_creates_a_schedule_in_the_form_and_sees_the_next_send_times(company, login):
    client = login("coordinator")
    page = client.get(reverse("reports:schedule_create")).content.decode()
    assert "Mon 2026" in page or "Next five send times" in page
    r = client.post(
        reverse("reports:schedule_create"),
        {
            "name": "Monthly statements",
            "kind": "statement",
            "period": "previous_month",
            "audience": "partners",
            "to_contacts": "on",
            "fmt": "both",
            "language": "recipient",
            "cron": "0 7 1 * *",
            "timezone": "Asia/Shanghai",
            "catch_up": "send_missed_once",
            "active": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    s = Schedule.objects.get(name="Monthly statements")
    assert s.params == {"period": "previous_month"} and s.created_by == company.users["coordinator"]
    detail = client.get(r["Location"]).content.decode()
    assert "Next five send times" in detail
    assert "07:00" in detail
    assert AuditEvent.objects.filter(action="schedule.create", object_id=str(s.pk)).exists()


def test_form_shows_a_bad_cron_expression_as_an_error(login, company):
    client = login("coordinator")
    r = client.post(
        reverse("reports:schedule_create"),
        {
            "name": "Bad",
            "kind": "statement",
            "period": "previous_month",
            "audience": "partners",
            "to_contacts": "on",
            "fmt": "pdf",
            "language": "en",
            "cron": "every monday",
            "timezone": "Asia/Shanghai",
            "catch_up": "skip_missed",
        },
    )
    assert r.status_code == 200
    assert "Not a valid cron expression" in r.content.decode()
    assert not Schedule.objects.filter(name="Bad").exists()


def test_cron_preview_lists_five_times_in_the_schedule_zone(login, company):
    client = login("coordinator")
    r = client.get(
        reverse("reports:cron_preview"), {"cron": "0 8 * * MON", "timezone": "Asia/Shanghai"}
    )
    html = r.content.decode()
    assert html.count("<li>") == 5 and html.count("08:00") == 5


def test_send_now_from_the_page_queues_a_manual_slot_and_the_worker_sends_it(
    schedule, login, smtp_server
):
    client = login("coordinator")
    r = client.post(reverse("reports:schedule_send_now", args=[schedule.pk]))
    assert r.status_code == 302
    keys = set(Delivery.objects.values_list("slot_key", flat=True))
    assert len(keys) == 1 and keys.pop().startswith("manual:")
    from salesops.reports.services import deliveries_send_due

    deliveries_send_due()
    assert len(smtp_server.messages) == 2
    page = client.get(reverse("reports:schedule_detail", args=[schedule.pk])).content.decode()
    assert "zhou.min@huadong.example" in page and "send now" in page


def test_delivery_log_filters_by_status_and_shows_the_error(
    make_schedule, company, login, smtp_server
):
    make_schedule(audience="account", account=company.partner1)
    make_schedule(name="Second", audience="account", account=company.partner2)
    smtp_server.refuse = 1
    schedules_run_due(now=MONDAY_SLOT)
    statuses = sorted(Delivery.objects.values_list("status", flat=True))
    assert statuses == ["retrying", "sent"]
    client = login("coordinator")
    retrying = client.get(reverse("reports:delivery_log"), {"status": "retrying"}).content.decode()
    sent = client.get(reverse("reports:delivery_log"), {"status": "sent"}).content.decode()
    failing = Delivery.objects.get(status="retrying")
    assert failing.recipient in retrying and "451" in retrying
    assert failing.recipient not in sent


def test_preview_renders_the_document_for_the_chosen_account(schedule, company, login):
    client = login("coordinator")
    url = reverse("reports:schedule_preview", args=[schedule.pk])
    r = client.get(url, {"account": company.partner2.pk, "fmt": "xlsx"})
    assert r.status_code == 200
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    cells = [
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    ]
    text = "\n".join(cells)
    assert company.partner2.number in text and company.partner1.number not in text


def test_api_create_detail_send_now_and_deliveries(company, login, smtp_server):
    client = login("coordinator")
    r = client.post(
        "/api/v1/schedules",
        json.dumps(
            {
                "name": "Weekly payment sheet",
                "kind": "payment_sheet",
                "period": "previous_week",
                "audience": "account",
                "account_id": company.partner1.pk,
                "extra_addresses": ["ap@huadong.example"],
                "fmt": "xlsx",
                "cron": "0 8 * * MON",
                "timezone": "Asia/Shanghai",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    sid = body["id"]
    assert len(body["next_send_times"]) == 5
    assert body["next_send_times"][0].endswith("08:00:00+08:00")
    assert client.get(f"/api/v1/schedules/{sid}").json()["extra_addresses"] == [
        "ap@huadong.example"
    ]
    assert [s["id"] for s in client.get("/api/v1/schedules").json()] == [sid]
    r = client.post(f"/api/v1/schedules/{sid}/send-now")
    assert r.status_code == 202 and r.json()["deliveries"] == 2
    from salesops.reports.services import deliveries_send_due

    deliveries_send_due()
    page = client.get(f"/api/v1/schedules/{sid}/deliveries", {"status": "sent"}).json()
    assert sorted(d["recipient"] for d in page["items"]) == [
        "ap@huadong.example",
        "zhou.min@huadong.example",
    ]
    r = client.post(
        "/api/v1/schedules",
        json.dumps({"name": "x", "kind": "statement", "cron": "61 8 * * *"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "SCHEDULE_INVALID"
    assert "cron" in r.json()["detail"]
