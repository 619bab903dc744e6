"""Scheduled distribution end to end against a real SMTP server on loopback (aiosmtpd):
each recipient gets their own account's document, exactly once per slot."""

from __future__ import annotations

import datetime as dt

import pytest

from salesops.core.models import AuditEvent
from salesops.reports.models import Delivery, Schedule
from salesops.reports.services import (
    delivery_claim,
    schedule_send_now,
    schedule_update,
    schedules_run_due,
)

from .conftest import CREATED, MONDAY_SLOT, attachment_texts

MIN = dt.timedelta(minutes=1)


def _to(msg) -> str:
    return str(msg["To"]).strip().lower()


def test_due_schedule_sends_each_contact_only_their_own_accounts_document(
    company, make_schedule, smtp_server
):
    make_schedule()
    result = schedules_run_due(now=MONDAY_SLOT + dt.timedelta(seconds=30))

    assert result.sent == 2
    by_to = {_to(m): m for m in smtp_server.messages}
    assert set(by_to) == {"zhou.min@huadong.example", "xu.tao@jiangnan.example"}
    for addr, own, other in (
        ("zhou.min@huadong.example", company.partner1, company.partner2),
        ("xu.tao@jiangnan.example", company.partner2, company.partner1),
    ):
        msg = by_to[addr]
        texts = attachment_texts(msg)
        assert len(texts) == 1
        assert own.number in texts[0]
        assert other.number not in texts[0]
        assert other.name not in texts[0]
        assert own.name in str(msg["Subject"])
        assert msg["Message-ID"].startswith("<salesops.delivery.")
    rows = Delivery.objects.all()
    assert {d.status for d in rows} == {"sent"}
    assert {d.slot_at for d in rows} == {MONDAY_SLOT}
    assert all(d.attempts == 1 and d.sent_at and d.message_id for d in rows)


def test_running_run_due_twice_for_the_same_slot_sends_nothing_more(make_schedule, smtp_server):
    make_schedule()
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(seconds=5))
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(seconds=65))
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(hours=3))
    assert len(smtp_server.messages) == 2
    assert Delivery.objects.count() == 2


def test_nothing_is_sent_before_the_slot(make_schedule, smtp_server):
    make_schedule()
    result = schedules_run_due(now=MONDAY_SLOT - dt.timedelta(seconds=1))
    assert result.sent == 0 and smtp_server.messages == []
    assert Delivery.objects.count() == 0


def test_a_new_schedule_never_fires_for_slots_before_it_existed(make_schedule, smtp_server):
    make_schedule(now=MONDAY_SLOT + dt.timedelta(hours=1))
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(hours=2))
    assert smtp_server.messages == []


def test_smtp_refuses_then_accepts_retrying_then_sent_exactly_one_email(
    make_schedule, company, smtp_server
):
    make_schedule(audience="account", account=company.partner1)
    smtp_server.refuse = 1
    t0 = MONDAY_SLOT + dt.timedelta(seconds=10)
    schedules_run_due(now=t0)
    d = Delivery.objects.get()
    assert d.status == "retrying"
    assert d.attempts == 1
    assert "451" in d.last_error
    assert d.next_attempt_at == t0 + MIN
    assert smtp_server.messages == []

    schedules_run_due(now=t0 + dt.timedelta(seconds=30))  # backoff not over: nothing
    assert Delivery.objects.get().status == "retrying"

    schedules_run_due(now=t0 + 2 * MIN)
    d.refresh_from_db()
    assert d.status == "sent" and d.attempts == 2
    assert len(smtp_server.messages) == 1
    schedules_run_due(now=t0 + dt.timedelta(hours=1))
    assert len(smtp_server.messages) == 1


def test_backoff_grows_and_gives_up_after_max_attempts(
    make_schedule, company, smtp_server, settings
):
    settings.REPORTS_MAX_ATTEMPTS = 3
    make_schedule(audience="account", account=company.partner1)
    smtp_server.refuse = 10
    t = MONDAY_SLOT + dt.timedelta(seconds=10)
    schedules_run_due(now=t)
    waits = []
    for _ in range(5):
        d = Delivery.objects.get()
        if d.status != "retrying":
            break
        waits.append(d.next_attempt_at - t)
        t = d.next_attempt_at
        schedules_run_due(now=t)
    d = Delivery.objects.get()
    assert waits == [MIN, 5 * MIN]
    assert d.status == "failed" and d.attempts == 3 and "451" in d.last_error
    assert smtp_server.messages == []


def test_no_second_email_after_a_recorded_success(make_schedule, company, smtp_server):
    make_schedule(audience="account", account=company.partner1)
    schedules_run_due(now=MONDAY_SLOT)
    d = Delivery.objects.get()
    assert d.status == "sent"
    # even long after any lease, a sent delivery cannot be claimed again
    assert delivery_claim(d.pk, now=MONDAY_SLOT + dt.timedelta(days=3)) is None
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(days=3))
    assert len(smtp_server.messages) == 1


def test_worker_that_died_mid_send_is_retried_after_its_lease_with_the_same_message_id(
    make_schedule, company, smtp_server
):
    make_schedule(audience="account", account=company.partner1)
    schedules_run_due(now=MONDAY_SLOT, send=False)
    d = Delivery.objects.get()
    # a worker claims it and dies before sending or recording anything
    assert delivery_claim(d.pk, now=MONDAY_SLOT) is not None
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(minutes=5))  # lease still running
    assert smtp_server.messages == []
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(minutes=16))  # lease (15 min) expired
    d.refresh_from_db()
    assert d.status == "sent" and d.attempts == 2
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Message-ID"] == d.message_id


def test_catch_up_send_missed_once_sends_only_the_latest_of_three_missed_slots(
    make_schedule, smtp_server
):
    make_schedule(audience="partners", catch_up="send_missed_once")
    # workers down from before the first Monday until after the third
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(days=14, hours=5))
    assert len(smtp_server.messages) == 2  # one per partner contact, one slot
    assert {d.slot_at for d in Delivery.objects.all()} == {MONDAY_SLOT + dt.timedelta(days=14)}
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(days=14, hours=6))
    assert len(smtp_server.messages) == 2


def test_catch_up_skip_missed_sends_none_of_three_missed_slots_then_the_next_on_time(
    make_schedule, smtp_server
):
    s = make_schedule(audience="partners", catch_up="skip_missed")
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(days=14, hours=5))
    assert smtp_server.messages == []
    assert Delivery.objects.count() == 0
    s.refresh_from_db()
    assert s.last_slot_at == MONDAY_SLOT + dt.timedelta(days=14)
    schedules_run_due(now=MONDAY_SLOT + dt.timedelta(days=21, seconds=20))
    assert len(smtp_server.messages) == 2


def test_shanghai_monday_8am_fires_at_midnight_utc(make_schedule):
    s = make_schedule()
    assert s.next_slot_at == dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC)
    schedules_run_due(now=dt.datetime(2026, 1, 4, 23, 59, 59, tzinfo=dt.UTC), send=False)
    assert Delivery.objects.count() == 0
    schedules_run_due(now=dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC), send=False)
    assert {d.slot_at for d in Delivery.objects.all()} == {MONDAY_SLOT}
    assert {d.slot_key for d in Delivery.objects.all()} == {"cron:2026-01-05T00:00Z"}
    s.refresh_from_db()
    assert s.next_slot_at == dt.datetime(2026, 1, 12, 0, 0, tzinfo=dt.UTC)


def test_send_now_does_not_collide_with_the_cron_slot(make_schedule, company, smtp_server):
    s = make_schedule(audience="account", account=company.partner1)
    key = schedule_send_now(schedule=s, by=company.users["coordinator"], now=MONDAY_SLOT)
    assert key.startswith("manual:")
    schedules_run_due(now=MONDAY_SLOT)
    assert len(smtp_server.messages) == 2  # the manual run and the cron slot at the same instant
    assert sorted(Delivery.objects.values_list("slot_key", flat=True)) == [
        "cron:2026-01-05T00:00Z",
        key,
    ]
    assert AuditEvent.objects.filter(action="schedule.send_now", object_id=str(s.pk)).exists()


def test_internal_users_get_every_accounts_document_and_contacts_only_their_own(
    make_schedule, company, smtp_server
):
    coord = company.users["coordinator"]
    coord.email = "sun.mei@acme.example"
    coord.save()
    make_schedule(users=[coord])
    schedules_run_due(now=MONDAY_SLOT)
    to = sorted(_to(m) for m in smtp_server.messages)
    assert to == [
        "sun.mei@acme.example",
        "sun.mei@acme.example",
        "xu.tao@jiangnan.example",
        "zhou.min@huadong.example",
    ]


def test_territory_audience_covers_the_subtree_only(make_schedule, company, smtp_server):
    # t1 holds customer a1 (contact liu@dfmy.cn) and partner p1 (zhou.min)
    make_schedule(audience="territory", territory=company.t1)
    schedules_run_due(now=MONDAY_SLOT)
    assert sorted(_to(m) for m in smtp_server.messages) == [
        "liu@dfmy.cn",
        "zhou.min@huadong.example",
    ]


def test_recipient_language_follows_the_partner_login(make_schedule, company, smtp_server):
    partner = company.users["partner"]
    partner.language = "zh-hans"
    partner.save()
    make_schedule(language="recipient")
    schedules_run_due(now=MONDAY_SLOT, send=False)
    langs = dict(Delivery.objects.values_list("recipient", "language"))
    assert langs == {"zhou.min@huadong.example": "zh-hans", "xu.tao@jiangnan.example": "en"}


def test_schedule_create_and_change_are_audited_and_validated(make_schedule, company):
    from salesops.reports.errors import ScheduleInvalid

    s = make_schedule()
    assert AuditEvent.objects.filter(action="schedule.create", object_id=str(s.pk)).exists()
    schedule_update(schedule=s, by=company.users["coordinator"], cron="0 9 * * *", now=CREATED)
    ev = AuditEvent.objects.get(action="schedule.update", object_id=str(s.pk))
    assert ev.before["cron"] == "0 8 * * MON" and ev.after["cron"] == "0 9 * * *"
    with pytest.raises(ScheduleInvalid) as err:
        schedule_update(schedule=s, by=company.users["coordinator"], cron="every monday")
    assert "cron" in err.value.detail
    with pytest.raises(ScheduleInvalid) as err:
        make_schedule(timezone="Mars/Olympus")
    assert "timezone" in err.value.detail
    with pytest.raises(ScheduleInvalid) as err:
        make_schedule(audience="partners", extra_addresses="someone@outside.example")
    assert "extra_addresses" in err.value.detail


def test_only_coordinators_and_admins_manage_schedules(make_schedule, company):
    from salesops.core.errors import PermissionDenied
    from salesops.reports.services import schedule_create

    for role in ("finance", "rep", "partner"):
        with pytest.raises(PermissionDenied):
            schedule_create(
                by=company.users[role],
                name="x",
                kind="statement",
                cron="0 8 1 * *",
                timezone="UTC",
            )
    s = make_schedule()
    with pytest.raises(PermissionDenied):
        schedule_send_now(schedule=s, by=company.users["finance"])


def test_inactive_schedule_does_not_send(make_schedule, company, smtp_server):
    s = make_schedule()
    schedule_update(schedule=s, by=company.users["coordinator"], active=False, now=CREATED)
    schedules_run_due(now=MONDAY_SLOT)
    assert smtp_server.messages == []
    assert Schedule.objects.get().active is False


def test_monthly_statement_as_pdf_holds_only_the_recipients_account(
    make_schedule, company, smtp_server
):
    make_schedule(
        name="Monthly statement",
        kind="statement",
        params={"period": "previous_month"},
        fmt="pdf",
        cron="0 7 1 * *",
        now=dt.datetime(2026, 1, 20, tzinfo=dt.UTC),
    )
    schedules_run_due(now=dt.datetime(2026, 1, 31, 23, 0, 30, tzinfo=dt.UTC))  # 07:00 Feb 1st
    by_to = {_to(m): m for m in smtp_server.messages}
    assert set(by_to) == {"zhou.min@huadong.example", "xu.tao@jiangnan.example"}
    (text,) = attachment_texts(by_to["zhou.min@huadong.example"])
    assert company.partner1.number in text and company.partner2.number not in text
    assert {(d.period_start, d.period_end) for d in Delivery.objects.all()} == {
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    }
