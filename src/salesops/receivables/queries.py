"""The query inbox: questions from partners and reps about credit notes, statements and payments.

Services (every write: keyword-only, role-checked, atomic, audited):
| act                 | who                                                                 |
| query_raise         | a partner (always for its own account), a rep or manager (for an    |
|                     | account in their scope, or about nothing in particular), staff       |
| query_reply         | staff: a reply, e-mailed to the requester after commit, status      |
|                     | answered. The requester's side (partner of the account, the person  |
|                     | who raised it): a follow-up, which reopens an answered query         |
| query_note          | internal users in scope: an internal note, never e-mailed, never     |
|                     | shown to a partner                                                  |
| query_assign        | staff, to an active staff user                                      |
| query_close         | staff                                                               |
| query_reopen        | staff (a requester's follow-up reopens through query_reply)          |

The SLA clock: `due_at` = raised (or reopened by the requester) + the category's hours from
settings.RECEIVABLES_QUERY_SLA_HOURS. A query is overdue when it still waits for us (status
open) after `due_at`; answering stops the clock.

The owner is the coordinator on duty: of the active coordinators, the one with the fewest
queries waiting for an answer (status open), ties to the lowest user id. Nobody on duty: the
query stays unassigned and shows as such in the inbox.

Selectors (`query_list`, `query_get`, `query_messages`) take the user first. Staff see every
query; a manager the queries about accounts of their subtree and those they raised; a rep the
queries about their accounts and those they raised; a partner only its own account's queries and
never an internal note. Anything else is "not found".
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from salesops.core.audit import audit_record, audit_snapshot
from salesops.core.models import Role, User
from salesops.core.scoping import INTERNAL_ROLES, STAFF_ROLES, role_required, scope_for
from salesops.core.services import number_series_reserve
from salesops.masterdata.models import Account
from salesops.masterdata.selectors import account_queryset

from . import errors, selectors
from .models import Query, QueryMessage

log = logging.getLogger(__name__)

SERIES_NAME, SERIES_PREFIX = "receivables.query", "Q-"
SUBJECT_MAX = 200
BODY_MAX = 20_000
DEFAULT_SLA_HOURS = 72


def _role(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def is_staff_user(user) -> bool:
    return user is not None and user.is_authenticated and _role(user) in STAFF_ROLES


def sla_hours(category: str) -> int:
    return int(settings.RECEIVABLES_QUERY_SLA_HOURS.get(category, DEFAULT_SLA_HOURS))


def sla_due(category: str, start: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(hours=sla_hours(category))


def coordinator_on_duty() -> User | None:
    """The active coordinator with the fewest queries waiting for an answer; ties: lowest id."""
    return (
        User.objects.filter(role=Role.COORDINATOR, is_active=True)
        .annotate(waiting=Count("queries_owned", filter=Q(queries_owned__status=Query.Status.OPEN)))
        .order_by("waiting", "pk")
        .first()
    )


def _text(value, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise errors.QueryInvalid(
            _("Write something in “%(field)s”.") % {"field": field}, detail={"field": field}
        )
    if len(value) > limit:
        raise errors.QueryInvalid(
            _("“%(field)s” is too long (at most %(limit)s characters).")
            % {"field": field, "limit": limit},
            detail={"field": field, "max": limit},
        )
    return value


def _requester_email(user) -> str:
    contact = getattr(user, "portal_contact", None) if _role(user) == Role.PARTNER else None
    if contact is not None and contact.email:
        return contact.email
    person = getattr(user, "person", None)
    return user.email or (person.email if person is not None else "") or ""


def _linked(user, *, account, invoice, payment, credit_note):
    """Check the linked documents against the user's scope and the account; return the
    account the query is about. Out of scope is "not found", like a missing id."""
    docs = []
    if invoice is not None:
        inv_id = getattr(invoice, "pk", invoice)
        docs.append(("invoice", selectors.invoice_get(user=user, invoice_id=inv_id)))
    if payment is not None:
        pay_id = getattr(payment, "pk", payment)
        docs.append(("payment", selectors.payment_get(user=user, payment_id=pay_id)))
    if credit_note is not None:
        cn_id = getattr(credit_note, "pk", credit_note)
        docs.append(("credit_note", selectors.credit_note_get(user=user, credit_note_id=cn_id)))
    if account is None and docs:
        account = docs[0][1].account
    for field, doc in docs:
        if doc.account_id != account.pk:
            raise errors.AccountMismatch(
                _("%(number)s belongs to another account than the query.") % {"number": doc.number},
                detail={"field": field, "number": doc.number},
            )
    return account, dict(docs)


def query_raise(
    *,
    by,
    category: str,
    subject: str,
    body: str,
    account: Account | None = None,
    invoice=None,
    payment=None,
    credit_note=None,
    requester_email: str | None = None,
) -> Query:
    """Open a query. A partner's is always about its own account; documents must be the
    account's (others' ids: not found). `requester_email` (staff only) is where replies go
    when staff raise a query on someone's behalf; otherwise the requester's own address."""
    role_required(by, *INTERNAL_ROLES, Role.PARTNER)
    if category not in Query.Category.values:
        raise errors.QueryInvalid(
            _("Choose a category."),
            detail={"field": "category", "value": category, "valid": Query.Category.values},
        )
    subject = _text(subject, "subject", SUBJECT_MAX)
    body = _text(body, "message", BODY_MAX)
    scope = scope_for(by)
    if _role(by) == Role.PARTNER:
        if scope.kind != "account":
            raise errors.QueryInvalid(
                _("Your login is not linked to a partner account yet."),
                detail={"field": "account"},
            )
        own = Account.objects.get(pk=scope.account_id)
        if account is not None and getattr(account, "pk", account) != own.pk:
            raise errors.QueryNotFound(
                "Not found, or not yours to see.",
                detail={"account": getattr(account, "pk", account)},
            )
        account = own
    elif account is not None:
        acc_id = getattr(account, "pk", account)
        account = account_queryset(user=by).filter(pk=acc_id).first()
        if account is None:
            raise errors.QueryNotFound(
                "Not found, or not yours to see.", detail={"account": acc_id}
            )
    account, docs = _linked(
        by, account=account, invoice=invoice, payment=payment, credit_note=credit_note
    )
    email = _requester_email(by)
    if requester_email and is_staff_user(by):
        email = requester_email.strip()
    now = timezone.now()
    with transaction.atomic():
        owner = coordinator_on_duty()
        query = Query.objects.create(
            number=number_series_reserve(name=SERIES_NAME, prefix=SERIES_PREFIX)[0],
            account=account,
            category=category,
            subject=subject,
            raised_by=by,
            requester_email=email,
            owner=owner,
            invoice=docs.get("invoice"),
            payment=docs.get("payment"),
            credit_note=docs.get("credit_note"),
            due_at=sla_due(category, now),
        )
        QueryMessage.objects.create(
            query=query, kind=QueryMessage.Kind.QUESTION, author=by, body=body
        )
        audit_record(actor=by, action="query.raise", obj=query, after=audit_snapshot(query))
    return query


def _lock(query: Query) -> Query:
    return Query.objects.select_for_update().get(pk=query.pk)


def _is_requester_side(user, query: Query) -> bool:
    """The partner of the query's account, or whoever raised it (when not staff)."""
    if is_staff_user(user):
        return False
    scope = scope_for(user)
    if scope.kind == "account":
        return query.account_id == scope.account_id
    return query.raised_by_id == user.pk


def _visible(user, query: Query) -> None:
    if not query_list(user=user).filter(pk=query.pk).exists():
        raise errors.QueryNotFound("Not found, or not yours to see.", detail={"id": query.pk})


def _status_change(query: Query, by, action: str, changes: dict, reason: str = "") -> None:
    before = audit_snapshot(query)
    for k, v in changes.items():
        setattr(query, k, v)
    query.save(update_fields=list(changes))
    audit_record(
        actor=by,
        action=action,
        obj=query,
        before=before,
        after=audit_snapshot(query),
        reason=reason,
    )


def query_reply(*, query: Query, body: str, by) -> QueryMessage:
    """Staff answer the requester (e-mailed after commit; the outcome is stored on the
    message) and the query is answered. From the requester's side it is a follow-up that
    reopens an answered query with a fresh SLA clock."""
    role_required(by, *INTERNAL_ROLES, Role.PARTNER)
    body = _text(body, "message", BODY_MAX)
    _visible(by, query)
    staff = is_staff_user(by)
    if not staff and not _is_requester_side(by, query):
        from salesops.core.errors import PermissionDenied

        raise PermissionDenied(_("Only the coordinator or the requester can write here."))
    with transaction.atomic():
        query = _lock(query)
        if query.status == Query.Status.CLOSED:
            raise errors.QueryClosed(
                _("%(number)s is closed. Raise a new query, or ask us to reopen it.")
                % {"number": query.number},
                detail={"status": query.status},
            )
        now = timezone.now()
        if staff:
            msg = QueryMessage.objects.create(
                query=query,
                kind=QueryMessage.Kind.REPLY,
                author=by,
                body=body,
                emailed_to=query.requester_email,
            )
            changes = {"status": Query.Status.ANSWERED}
            if query.first_answered_at is None:
                changes["first_answered_at"] = now
            _status_change(query, by, "query.reply", changes)
            transaction.on_commit(lambda: reply_email_send(message_id=msg.pk))
        else:
            msg = QueryMessage.objects.create(
                query=query, kind=QueryMessage.Kind.QUESTION, author=by, body=body
            )
            if query.status in (Query.Status.ANSWERED, Query.Status.WAITING):
                _status_change(
                    query,
                    by,
                    "query.reopen",
                    {"status": Query.Status.OPEN, "due_at": sla_due(query.category, now)},
                    reason="follow-up from the requester",
                )
            else:
                audit_record(
                    actor=by, action="query.follow_up", obj=query, after={"message": msg.pk}
                )
    return msg


def reply_email_send(*, message_id: int) -> bool:
    """Send one reply to its requester and record the outcome on the message. Runs after the
    reply committed; may be called again for a reply whose e-mail failed."""
    msg = QueryMessage.objects.select_related("query", "query__raised_by").get(pk=message_id)
    query = msg.query
    to = query.requester_email
    requester = query.raised_by
    lang = (getattr(requester, "language", "") or settings.LANGUAGE_CODE) if requester else None
    now = timezone.now()
    if not to:
        QueryMessage.objects.filter(pk=msg.pk).update(
            emailed_to="", email_error=_("The requester has no e-mail address.")[:500]
        )
        return False
    with translation.override(lang or settings.LANGUAGE_CODE):
        subject = _("[%(number)s] Re: %(subject)s") % {
            "number": query.number,
            "subject": query.subject,
        }
        text = "\n\n".join(
            [
                msg.body,
                "—",
                _(
                    "This is the answer to your query %(number)s. To reply, open the query in "
                    "SalesOps."
                )
                % {"number": query.number},
            ]
        )
    email = EmailMessage(subject=subject, body=text, to=[to])
    email.extra_headers["X-SalesOps-Query"] = query.number
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # SMTP refused, network down: recorded, shown, can be resent
        log.warning("query %s: reply %s not e-mailed to %s: %s", query.number, msg.pk, to, exc)
        QueryMessage.objects.filter(pk=msg.pk).update(
            emailed_to=to, emailed_at=None, email_error=(str(exc) or type(exc).__name__)[:500]
        )
        return False
    QueryMessage.objects.filter(pk=msg.pk).update(emailed_to=to, emailed_at=now, email_error="")
    return True


def query_reply_resend(*, message: QueryMessage, by) -> bool:
    """Try again to e-mail a reply whose e-mail failed (staff)."""
    role_required(by, *STAFF_ROLES)
    if message.kind != QueryMessage.Kind.REPLY:
        raise errors.QueryInvalid(_("Only replies are e-mailed."), detail={"kind": message.kind})
    audit_record(
        actor=by, action="query.reply_resend", obj=message.query, after={"message": message.pk}
    )
    return reply_email_send(message_id=message.pk)


def query_note(*, query: Query, body: str, by) -> QueryMessage:
    """An internal note: never e-mailed, never shown to a partner. Status does not change."""
    role_required(by, *INTERNAL_ROLES)
    body = _text(body, "note", BODY_MAX)
    _visible(by, query)
    with transaction.atomic():
        msg = QueryMessage.objects.create(
            query=query, kind=QueryMessage.Kind.NOTE, author=by, body=body
        )
        audit_record(actor=by, action="query.note", obj=query, after={"message": msg.pk})
    return msg


def query_assign(*, query: Query, owner, by) -> Query:
    role_required(by, *STAFF_ROLES)
    if owner is None or not owner.is_active or not is_staff_user(owner):
        raise errors.QueryOwnerInvalid(
            _("Queries are owned by an active coordinator, finance or admin user."),
            detail={"owner": getattr(owner, "pk", None)},
        )
    with transaction.atomic():
        query = _lock(query)
        if query.owner_id != owner.pk:
            _status_change(query, by, "query.assign", {"owner": owner})
    return query


def query_close(*, query: Query, by, reason: str = "") -> Query:
    role_required(by, *STAFF_ROLES)
    with transaction.atomic():
        query = _lock(query)
        if query.status == Query.Status.CLOSED:
            raise errors.QueryClosed(_("%(number)s is already closed.") % {"number": query.number})
        _status_change(
            query,
            by,
            "query.close",
            {"status": Query.Status.CLOSED, "closed_at": timezone.now()},
            reason=(reason or "").strip()[:500],
        )
    return query


def query_reopen(*, query: Query, by, reason: str = "") -> Query:
    """Staff reopen an answered or closed query; the SLA clock starts again."""
    role_required(by, *STAFF_ROLES)
    with transaction.atomic():
        query = _lock(query)
        if query.status == Query.Status.OPEN:
            return query
        _status_change(
            query,
            by,
            "query.reopen",
            {
                "status": Query.Status.OPEN,
                "closed_at": None,
                "due_at": sla_due(query.category, timezone.now()),
            },
            reason=(reason or "").strip()[:500],
        )
    return query


# ---------------------------------------------------------------- selectors


def _scope_q(user) -> Q:
    scope = scope_for(user)
    if scope.kind == "all":
        return Q()
    if scope.kind == "account":
        return Q(account_id=scope.account_id)
    if scope.kind == "none":
        return Q(pk__in=[])
    return selectors.account_ids_q(user=user) | Q(raised_by_id=user.pk)


def query_list(
    *,
    user,
    status: str = "",
    category: str = "",
    mine: bool = False,
    overdue: bool = False,
    account_id: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Query]:
    """Queries the user may see, due soonest first. `mine`: owned by me (staff) or raised by
    me (others). `overdue`: still waiting for an answer after the SLA."""
    qs = Query.objects.filter(_scope_q(user)).select_related(
        "account", "owner", "raised_by", "invoice", "payment", "credit_note"
    )
    if status in Query.Status.values:
        qs = qs.filter(status=status)
    elif status == "active":  # everything not closed
        qs = qs.exclude(status=Query.Status.CLOSED)
    if category in Query.Category.values:
        qs = qs.filter(category=category)
    if mine:
        qs = qs.filter(owner_id=user.pk) if is_staff_user(user) else qs.filter(raised_by_id=user.pk)
    if overdue:
        qs = qs.filter(status=Query.Status.OPEN, due_at__lt=now or timezone.now())
    if account_id:
        qs = qs.filter(account_id=account_id)
    return qs.order_by("due_at", "id")


def query_get(*, user, query_id: int) -> Query:
    query = query_list(user=user).filter(pk=query_id).first()
    if query is None:
        raise errors.QueryNotFound("Not found, or not yours to see.", detail={"id": query_id})
    return query


def query_messages(*, user, query: Query) -> QuerySet[QueryMessage]:
    """The thread as the user may see it: partners never see internal notes."""
    qs = query.messages.select_related("author")
    if not scope_for(user).is_internal:
        qs = qs.exclude(kind=QueryMessage.Kind.NOTE)
    return qs.order_by("created_at", "id")


def query_overdue(query: Query, *, now: dt.datetime | None = None) -> bool:
    return query.status == Query.Status.OPEN and query.due_at < (now or timezone.now())


def query_time_left(query: Query, *, now: dt.datetime | None = None) -> dt.timedelta:
    return query.due_at - (now or timezone.now())


def query_owner_choices() -> QuerySet[User]:
    """Who can own a query: active staff users."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=STAFF_ROLES) | Q(is_superuser=True))
        .order_by("username")
    )
