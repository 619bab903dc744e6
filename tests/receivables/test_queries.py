"""The query inbox services and selectors: SLA clock, owner on duty, replies by e-mail, notes
kept internal, scoping of queries and of the documents they link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from salesops.core.errors import PermissionDenied
from salesops.core.models import AuditEvent
from salesops.core.services import user_create
from salesops.receivables import errors, queries
from salesops.receivables.models import Query, QueryMessage
from tests.conftest import PASSWORD


def _raise(by, **kw):
    kw.setdefault("category", "payment")
    kw.setdefault("subject", "Where did my payment go?")
    kw.setdefault("body", "We paid 8,000 on 15 October.")
    return queries.query_raise(by=by, **kw)


def test_partner_query_is_for_its_own_account_with_sla_from_category(ledger, company, settings):
    settings.RECEIVABLES_QUERY_SLA_HOURS = {"credit_note": 48, "payment": 24, "other": 72}
    before = timezone.now()
    q = _raise(company.users["partner"], category="credit_note", invoice=ledger.inv2)
    after = timezone.now()
    assert q.account == company.partner1
    assert q.number.startswith("Q-")
    assert q.status == Query.Status.OPEN
    assert before + dt.timedelta(hours=48) <= q.due_at <= after + dt.timedelta(hours=48)
    assert q.requester_email == "zhou.min@huadong.example"
    assert q.invoice == ledger.inv2
    assert list(q.messages.values_list("kind", flat=True)) == [QueryMessage.Kind.QUESTION]
    assert AuditEvent.objects.filter(action="query.raise", object_id=str(q.pk)).exists()


def test_query_numbers_come_from_the_series(ledger, company):
    a = _raise(company.users["partner"])
    b = _raise(company.users["partner"])
    assert int(b.number[2:]) == int(a.number[2:]) + 1


def test_sla_hours_are_configurable_per_category(ledger, company, settings):
    settings.RECEIVABLES_QUERY_SLA_HOURS = {"statement": 5}
    q = _raise(company.users["partner"], category="statement")
    assert abs((q.due_at - q.created_at) - dt.timedelta(hours=5)) < dt.timedelta(seconds=5)
    # a category missing from the setting falls back to the default
    q2 = _raise(company.users["partner"], category="other")
    hours = queries.DEFAULT_SLA_HOURS
    assert abs((q2.due_at - q2.created_at) - dt.timedelta(hours=hours)) < dt.timedelta(seconds=5)


def test_sla_setting_reads_the_environment():
    import os
    import subprocess
    import sys

    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'salesops.config.settings_test'); from django.conf import settings; "
        "print(settings.RECEIVABLES_QUERY_SLA_HOURS['payment'], "
        "settings.RECEIVABLES_QUERY_SLA_HOURS['other'])"
    )
    env = {**os.environ, "SALESOPS_QUERY_SLA_HOURS": "payment=8"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["8", "72"]


def test_owner_is_the_coordinator_with_fewest_open_queries_lowest_id_on_ties(ledger, company):
    first = company.users["coordinator"]
    second = user_create(username="coordinator2", password=PASSWORD, role="coordinator")
    user_create(username="away", password=PASSWORD, role="coordinator").__class__.objects.filter(
        username="away"
    ).update(is_active=False)
    partner = company.users["partner"]
    q1 = _raise(partner)  # both at 0 -> lowest id
    q2 = _raise(partner)  # first has 1 -> second
    q3 = _raise(partner)  # 1 each -> lowest id again
    assert [q1.owner, q2.owner, q3.owner] == [first, second, first]
    # answered queries no longer count as waiting: first is back to 0 open after replying
    for q in (q1, q3):
        queries.query_reply(query=q, body="Done.", by=first)
    q4 = _raise(partner)
    assert q4.owner == first


def test_no_coordinator_on_duty_leaves_the_query_unassigned(ledger, company):
    company.users["coordinator"].__class__.objects.filter(role="coordinator").update(
        is_active=False
    )
    assert _raise(company.users["partner"]).owner is None


def test_partner_cannot_link_another_accounts_invoice_payment_or_credit_note(ledger, company):
    partner = company.users["partner"]
    with pytest.raises(errors.InvoiceNotFound):
        _raise(partner, invoice=ledger.inv3)  # partner2's invoice
    with pytest.raises(errors.QueryNotFound):
        _raise(partner, account=company.partner2)
    from salesops.receivables import services

    pay2 = services.payment_receive(
        amount="100.00",
        currency="CNY",
        value_date=dt.date(2026, 10, 20),
        account=company.partner2,
        by=ledger.coordinator,
    )
    services.payment_book(payment=pay2, by=ledger.coordinator)
    with pytest.raises(errors.PaymentNotFound):
        _raise(partner, payment=pay2)
    cn2 = services.credit_note_request(
        account=company.partner2,
        amount="10.00",
        currency="CNY",
        reason="price",
        by=ledger.coordinator,
    )
    with pytest.raises(errors.CreditNoteNotFound):
        _raise(partner, credit_note=cn2)
    assert not Query.objects.exists()


def test_rep_raises_for_own_accounts_only(ledger, company):
    rep = company.users["rep"]  # owns acct_rep1 and partner1
    q = _raise(rep, invoice=ledger.inv1)
    assert q.account == company.partner1
    with pytest.raises(errors.QueryNotFound):
        _raise(rep, account=company.acct_rep2)
    with pytest.raises(errors.InvoiceNotFound):
        _raise(rep, invoice=ledger.inv3)
    with pytest.raises(errors.AccountMismatch):
        _raise(rep, account=company.acct_rep1, invoice=ledger.inv1)


def test_raising_needs_a_category_subject_and_message(ledger, company):
    partner = company.users["partner"]
    with pytest.raises(errors.QueryInvalid):
        _raise(partner, category="gossip")
    with pytest.raises(errors.QueryInvalid):
        _raise(partner, subject="  ")
    with pytest.raises(errors.QueryInvalid):
        _raise(partner, body="")


def test_reply_is_stored_emailed_to_the_requester_and_answers_the_query(
    ledger, company, smtp_server, django_capture_on_commit_callbacks
):
    q = _raise(company.users["partner"], invoice=ledger.inv1)
    coord = company.users["coordinator"]
    with django_capture_on_commit_callbacks(execute=True):
        msg = queries.query_reply(query=q, body="We allocated it to INV-0000001.", by=coord)
    msg.refresh_from_db()
    q.refresh_from_db()
    assert msg.kind == QueryMessage.Kind.REPLY
    assert q.status == Query.Status.ANSWERED
    assert q.first_answered_at is not None
    assert msg.emailed_at is not None and msg.email_error == ""
    assert msg.emailed_to == "zhou.min@huadong.example"
    [mail] = smtp_server.messages
    assert mail["X-Envelope-To"] == "zhou.min@huadong.example"
    assert q.number in mail["Subject"]
    assert "We allocated it to INV-0000001." in mail.get_body().get_content()
    assert AuditEvent.objects.filter(action="query.reply", object_id=str(q.pk)).exists()
    # a second reply keeps the first answer time
    first = q.first_answered_at
    with django_capture_on_commit_callbacks(execute=True):
        queries.query_reply(query=q, body="And one more thing.", by=coord)
    q.refresh_from_db()
    assert q.first_answered_at == first
    assert len(smtp_server.messages) == 2


def test_reply_that_smtp_refuses_is_recorded_and_can_be_resent(
    ledger, company, smtp_server, django_capture_on_commit_callbacks
):
    q = _raise(company.users["partner"])
    smtp_server.refuse = 1
    with django_capture_on_commit_callbacks(execute=True):
        msg = queries.query_reply(query=q, body="Answer.", by=company.users["coordinator"])
    msg.refresh_from_db()
    assert msg.emailed_at is None
    assert "451" in msg.email_error
    assert smtp_server.messages == []
    assert queries.query_reply_resend(message=msg, by=company.users["coordinator"]) is True
    msg.refresh_from_db()
    assert msg.emailed_at is not None and msg.email_error == ""
    assert len(smtp_server.messages) == 1


def test_reply_rolled_back_sends_nothing(ledger, company, smtp_server):
    """The e-mail goes out on commit only: inside a transaction that rolls back, nothing."""
    from django.db import transaction

    q = _raise(company.users["partner"])
    with pytest.raises(RuntimeError), transaction.atomic():
        queries.query_reply(query=q, body="Never sent.", by=company.users["coordinator"])
        raise RuntimeError
    assert smtp_server.messages == []
    assert not q.messages.filter(kind="reply").exists()


def test_notes_are_never_emailed_nor_shown_to_partners(
    ledger, company, smtp_server, django_capture_on_commit_callbacks
):
    partner, coord = company.users["partner"], company.users["coordinator"]
    q = _raise(partner)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        note = queries.query_note(query=q, body="Internal: check with finance.", by=coord)
    assert callbacks == []
    assert smtp_server.messages == []
    note.refresh_from_db()
    assert note.kind == QueryMessage.Kind.NOTE and note.emailed_at is None
    assert note not in queries.query_messages(user=partner, query=q)
    assert note in queries.query_messages(user=coord, query=q)
    q.refresh_from_db()
    assert q.status == Query.Status.OPEN
    with pytest.raises(PermissionDenied):
        queries.query_note(query=q, body="partners cannot write notes", by=partner)


def test_partner_follow_up_reopens_an_answered_query_with_a_fresh_clock(
    ledger, company, django_capture_on_commit_callbacks, smtp_server
):
    partner, coord = company.users["partner"], company.users["coordinator"]
    q = _raise(partner)
    with django_capture_on_commit_callbacks(execute=True):
        queries.query_reply(query=q, body="Answered.", by=coord)
    Query.objects.filter(pk=q.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    q.refresh_from_db()
    msg = queries.query_reply(query=q, body="That is not what I see.", by=partner)
    q.refresh_from_db()
    assert msg.kind == QueryMessage.Kind.QUESTION
    assert q.status == Query.Status.OPEN
    assert q.due_at > timezone.now()
    assert len(smtp_server.messages) == 1  # a follow-up is not e-mailed to the partner
    assert AuditEvent.objects.filter(action="query.reopen", object_id=str(q.pk)).exists()


def test_other_partner_cannot_see_or_write_on_a_query(ledger, company):
    q = _raise(company.users["partner"])
    other = company.users["partner2"]
    with pytest.raises(errors.QueryNotFound):
        queries.query_get(user=other, query_id=q.pk)
    with pytest.raises(errors.QueryNotFound):
        queries.query_reply(query=q, body="hello", by=other)
    assert list(queries.query_list(user=other)) == []


def test_close_assign_and_reopen_are_staff_acts_and_audited(ledger, company):
    coord, partner = company.users["coordinator"], company.users["partner"]
    q = _raise(partner)
    fin = company.users["finance"]
    queries.query_assign(query=q, owner=fin, by=coord)
    q.refresh_from_db()
    assert q.owner == fin
    with pytest.raises(errors.QueryOwnerInvalid):
        queries.query_assign(query=q, owner=company.users["rep"], by=coord)
    with pytest.raises(PermissionDenied):
        queries.query_close(query=q, by=partner)
    queries.query_close(query=q, by=coord, reason="sorted on the phone")
    q.refresh_from_db()
    assert q.status == Query.Status.CLOSED and q.closed_at is not None
    with pytest.raises(errors.QueryClosed):
        queries.query_reply(query=q, body="more", by=partner)
    with pytest.raises(errors.QueryClosed):
        queries.query_reply(query=q, body="more", by=coord)
    queries.query_reopen(query=q, by=coord, reason="partner called back")
    q.refresh_from_db()
    assert q.status == Query.Status.OPEN and q.closed_at is None
    actions = set(
        AuditEvent.objects.filter(object_id=str(q.pk), action__startswith="query.").values_list(
            "action", flat=True
        )
    )
    assert {"query.raise", "query.assign", "query.close", "query.reopen"} <= actions


def test_list_is_scoped_by_role(ledger, company):
    u = company.users
    mine = _raise(u["partner"])
    theirs = _raise(u["partner2"])
    rep_own = _raise(u["rep2"], category="other", subject="general question")  # no account
    assert set(queries.query_list(user=u["coordinator"])) == {mine, theirs, rep_own}
    assert set(queries.query_list(user=u["partner"])) == {mine}
    assert set(queries.query_list(user=u["partner2"])) == {theirs}
    assert set(queries.query_list(user=u["rep"])) == {mine}  # partner1 is rep's account
    assert set(queries.query_list(user=u["rep2"])) == {theirs, rep_own}
    assert set(queries.query_list(user=u["manager"])) == {mine, theirs}


def test_filters_mine_overdue_status_category(ledger, company):
    u = company.users
    a = _raise(u["partner"], category="payment")
    b = _raise(u["partner"], category="statement")
    Query.objects.filter(pk=a.pk).update(due_at=timezone.now() - dt.timedelta(minutes=5))
    coord = u["coordinator"]
    assert list(queries.query_list(user=coord, overdue=True)) == [a]
    assert list(queries.query_list(user=coord, category="statement")) == [b]
    assert set(queries.query_list(user=coord, mine=True)) == {a, b}
    assert list(queries.query_list(user=u["finance"], mine=True)) == []
    queries.query_close(query=b, by=coord)
    assert list(queries.query_list(user=coord, status="closed")) == [b]
    assert list(queries.query_list(user=coord, status="active")) == [a]
    # answered stops the clock: no longer overdue
    queries.query_reply(query=a, body="ok", by=coord)
    assert list(queries.query_list(user=coord, overdue=True)) == []
