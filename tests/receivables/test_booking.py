"""24-hour booking: the warning e-mail (real SMTP on loopback), the home queues, and the
report of the share booked within 24 hours by week and by coordinator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.core.services import user_create
from salesops.receivables import booking, queues, services, tasks
from salesops.receivables.models import Payment

H = dt.timedelta(hours=1)


@pytest.fixture
def coordinators(company):
    coord = company.users["coordinator"]
    coord.email = "sun.mei@acme.example"
    coord.save(update_fields=["email"])
    user_create(
        username="coord2", password="x-pass-123", role="coordinator", email="li.na@acme.example"
    )
    user_create(username="coord3", password="x-pass-123", role="coordinator")  # no e-mail
    return coord


def _receipt(by, hours_ago: float, amount="100.00", **kw) -> Payment:
    return services.payment_receive(
        amount=amount,
        currency="CNY",
        received_at=timezone.now() - dt.timedelta(hours=hours_ago),
        payer_name="Huadong Distribution",
        by=by,
        **kw,
    )


def test_warning_goes_once_to_coordinators_with_an_email(
    fx, coordinators, smtp_server, django_capture_on_commit_callbacks
):
    due = _receipt(coordinators, 21)  # 3 h left: inside the 4-hour warning window
    _receipt(coordinators, 2)  # 22 h left: not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.booking_warnings_send() == 1
    assert len(smtp_server.messages) == 1
    msg = smtp_server.messages[0]
    assert set(msg["X-Envelope-To"].split(", ")) == {"sun.mei@acme.example", "li.na@acme.example"}
    assert due.number in msg["Subject"]
    assert "/receivables/receipts/" in msg.get_content()
    due.refresh_from_db()
    assert due.booking_warned_at is not None
    # the next run (five minutes later) sends nothing again
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.booking_warnings_send() == 0
    assert len(smtp_server.messages) == 1


def test_overdue_receipt_is_warned_as_overdue(
    fx, coordinators, smtp_server, django_capture_on_commit_callbacks
):
    late = _receipt(coordinators, 30)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.booking_warnings.call_local()
    assert len(smtp_server.messages) == 1
    assert "overdue" in smtp_server.messages[0]["Subject"]
    assert late.number in smtp_server.messages[0]["Subject"]


def test_smtp_refusing_leaves_the_receipt_unwarned_and_the_next_run_sends_it(
    fx, coordinators, smtp_server, django_capture_on_commit_callbacks
):
    due = _receipt(coordinators, 23)
    smtp_server.refuse = 1
    with django_capture_on_commit_callbacks(execute=True):
        booking.booking_warnings_send()
    assert smtp_server.messages == []
    due.refresh_from_db()
    assert due.booking_warned_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.booking_warnings_send() == 1
    assert len(smtp_server.messages) == 1
    due.refresh_from_db()
    assert due.booking_warned_at is not None


def test_a_booked_receipt_is_not_warned(
    fx, coordinators, smtp_server, django_capture_on_commit_callbacks
):
    p = _receipt(coordinators, 22, account=fx.partner1)
    services.payment_book(payment=p, by=coordinators)
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.booking_warnings_send() == 0
    assert smtp_server.messages == []


def test_warning_is_in_the_coordinators_language(
    fx, coordinators, smtp_server, django_capture_on_commit_callbacks
):
    coordinators.language = "zh-hans"
    coordinators.save(update_fields=["language"])
    _receipt(coordinators, 21)
    with django_capture_on_commit_callbacks(execute=True):
        booking.booking_warnings_send()
    assert len(smtp_server.messages) == 2  # one per language
    to = {m["X-Envelope-To"] for m in smtp_server.messages}
    assert to == {"sun.mei@acme.example", "li.na@acme.example"}


def test_the_periodic_task_runs_every_five_minutes():
    validate = tasks.booking_warnings.s().validate_datetime
    assert validate(dt.datetime(2026, 10, 1, 9, 5))
    assert not validate(dt.datetime(2026, 10, 1, 9, 7))


# ---------------------------------------------------------------- clock and queues


def test_time_left_states(fx, coordinators):
    p = _receipt(coordinators, 0)
    assert booking.time_left(p, now=p.received_at + 2 * H).state == "ok"
    left = booking.time_left(p, now=p.received_at + 20 * H + dt.timedelta(minutes=30))
    assert (left.state, left.text) == ("warn", "3:30")
    late = booking.time_left(p, now=p.received_at + 25 * H)
    assert (late.state, late.text) == ("overdue", "1:00")


def test_receipts_queue_lists_the_nearest_to_the_limit_first(fx, coordinators):
    _receipt(coordinators, 1, amount="1.00")
    near = _receipt(coordinators, 23, amount="2.00")
    q = queues.receipts_to_book(coordinators)
    assert q.count == 2
    assert q.items[0]["label"].startswith(near.number)
    assert "left" in q.items[0]["note"]
    assert queues.receipts_to_book(fx.users["rep"]) is None
    assert queues.receipts_to_book(fx.users["finance"]) is None


def test_approvals_queue_excludes_own_requests(ledger, settings):
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "0"
    fin = ledger.finance
    services.credit_note_request(
        account=ledger.inv2.account,
        amount="5.00",
        currency="CNY",
        reason="price",
        by=ledger.coordinator,
    )
    services.credit_note_request(
        account=ledger.inv2.account, amount="6.00", currency="CNY", reason="price", by=fin
    )
    services.write_off_request(
        invoice=ledger.inv2, amount="1.00", reason="x", by=ledger.coordinator
    )
    q = queues.approvals_waiting(fin)
    assert q.count == 2
    assert [it["label"].split()[0] for it in q.items] == ["Credit", "Write-off"]
    assert queues.approvals_waiting(ledger.coordinator) is None


def test_suggest_oldest_first_spreads_the_money_and_leaves_the_rest(ledger):
    items = [ledger.inv1, ledger.inv2]  # open 3,300 and 5,650
    assert booking.suggest_oldest_first(Decimal("4000.00"), items) == {
        ledger.inv1.pk: Decimal("3300.00"),
        ledger.inv2.pk: Decimal("700.00"),
    }
    assert booking.suggest_oldest_first(Decimal("10000"), items) == {
        ledger.inv1.pk: Decimal("3300.00"),
        ledger.inv2.pk: Decimal("5650.00"),
    }


# ---------------------------------------------------------------- the report


def _set(p: Payment, received: dt.datetime, booked: dt.datetime | None, by=None):
    Payment.objects.filter(pk=p.pk).update(
        received_at=received,
        booked_at=booked,
        booked_by=by,
        status=Payment.Status.BOOKED if booked else Payment.Status.RECEIVED,
    )


def test_report_share_by_week_and_coordinator_with_median_and_late_list(fx, coordinators):
    c1 = coordinators
    from salesops.core.models import User

    c2 = User.objects.get(username="coord2")
    utc = dt.UTC
    mon = dt.datetime(2026, 10, 12, 9, 0, tzinfo=utc)  # ISO week 2026-W42
    nxt = dt.datetime(2026, 10, 19, 9, 0, tzinfo=utc)  # 2026-W43
    rows = [
        (mon, mon + 2 * H, c1),  # 2 h, in time
        (mon, mon + 10 * H, c1),  # 10 h, in time
        (mon, mon + 30 * H, c2),  # 30 h, late
        (nxt, nxt + 24 * H, c2),  # exactly 24 h: in time
        (nxt, None, None),  # never booked, far past the limit: late
    ]
    made = []
    for received, booked, by in rows:
        p = _receipt(c1, 0)
        _set(p, received, booked, by)
        made.append(p)
    now = dt.datetime(2026, 11, 1, tzinfo=utc)
    report = booking.booking_report(
        user=c1, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), now=now
    )
    weeks = {w.key: w for w in report.weeks}
    assert set(weeks) == {"2026-W42", "2026-W43"}
    assert (weeks["2026-W42"].in_time, weeks["2026-W42"].late) == (2, 1)
    assert weeks["2026-W42"].share == Decimal("66.7")
    assert weeks["2026-W42"].median_hours == Decimal("10.0")
    assert (weeks["2026-W43"].in_time, weeks["2026-W43"].late) == (1, 1)
    assert weeks["2026-W43"].median_hours == Decimal("24.0")
    by = {r.key: r for r in report.coordinators}
    c1_name = c1.get_full_name() or c1.person.name
    assert by[c1_name].share == Decimal("100.0") and by[c1_name].median_hours == Decimal("6.0")
    assert by["coord2"].received == 2 and by["coord2"].share == Decimal("50.0")
    assert report.total.share == Decimal("60.0")
    assert {r.number for r in report.late} == {made[2].number, made[4].number}
    late_booked = next(r for r in report.late if r.number == made[2].number)
    assert late_booked.hours == Decimal("30.0") and late_booked.booked_by == "coord2"


def test_report_counts_an_unbooked_receipt_within_the_limit_as_pending(fx, coordinators):
    p = _receipt(coordinators, 3)
    report = booking.booking_report(
        user=coordinators,
        start=timezone.localdate() - dt.timedelta(days=2),
        end=timezone.localdate(),
    )
    assert report.total.pending == 1 and report.total.share is None
    assert p.number not in {r.number for r in report.late}


def test_report_api_and_page(client, login, fx, coordinators):
    mon = dt.datetime(2026, 10, 12, 9, 0, tzinfo=dt.UTC)
    p = _receipt(coordinators, 0)
    _set(p, mon, mon + 3 * H, coordinators)
    from salesops.core.services import api_token_issue

    h = {"Authorization": f"Bearer {api_token_issue(user=coordinators)}"}
    r = client.get(
        "/api/v1/receivables/booking-report",
        {"start": "2026-10-01", "end": "2026-10-31"},
        headers=h,
    )
    assert r.status_code == 200
    body = r.json()
    assert body["weeks"] == [
        {
            "key": "2026-W42",
            "received": 1,
            "in_time": 1,
            "late": 0,
            "pending": 0,
            "share_in_time": "100.0",
            "median_hours": "3.0",
        }
    ]
    page = login("coordinator").get(
        "/receivables/booking-report/", {"start": "2026-10-01", "end": "2026-10-31"}
    )
    assert page.status_code == 200
    assert "2026-W42" in page.content.decode()
    assert login("rep").get("/receivables/booking-report/").status_code == 403
