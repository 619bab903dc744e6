"""Home-page work queues of the receivables desk, registered in ReceivablesConfig.ready().

- "Receipts to book" (coordinators, admins): unbooked receipts, the ones nearest the 24-hour
  limit first, each with the time left.
- "Waiting for your approval" (finance, admins): credit notes, refunds and write-offs that
  someone else requested (four eyes: your own requests are not yours to approve).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from salesops.core.formatting import money_text
from salesops.core.models import Role
from salesops.core.selectors import WorkQueue

from . import booking, selectors

COUNT_CAP = 1000
ITEMS = 5


def _role(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def _count(qs) -> int:
    return qs.order_by().values("pk")[: COUNT_CAP + 1].count()


def time_left_note(payment) -> str:
    left = booking.time_left(payment)
    if left.state == "overdue":
        return _("overdue by %(time)s") % {"time": left.text}
    return _("%(time)s left") % {"time": left.text}


def receipts_to_book(user) -> WorkQueue | None:
    if _role(user) not in (Role.ADMIN, Role.COORDINATOR):
        return None
    qs = selectors.receipts_unbooked(user=user)
    items = [
        {
            "url": reverse("receivables:receipt_book", args=[p.pk]),
            "label": f"{p.number} · {money_text(p.amount, p.currency)}"
            + (f" · {p.payer_name}" if p.payer_name else ""),
            "note": time_left_note(p),
        }
        for p in qs[:ITEMS]
    ]
    return WorkQueue(
        key="receipts_to_book",
        title=_("Receipts to book"),
        count=_count(qs),
        url=reverse("receivables:receipts"),
        empty_text=_(
            "Money received appears here until it is booked to a customer's account, with the "
            "time left to book it within 24 hours. Everything is booked."
        ),
        items=items,
    )


def approvals_waiting(user) -> WorkQueue | None:
    if _role(user) not in (Role.ADMIN, Role.FINANCE):
        return None
    pending = selectors.approvals_pending(user=user)
    items, count = [], 0
    for kind, label in (
        ("credit_notes", _("Credit note")),
        ("refunds", _("Refund")),
        ("write_offs", _("Write-off")),
    ):
        qs = pending[kind].exclude(requested_by=user)
        count += _count(qs)
        for obj in qs[:ITEMS]:
            currency = obj.invoice.currency if kind == "write_offs" else obj.currency
            items.append(
                {
                    "created": obj.created_at,
                    "url": reverse("receivables:approvals") + f"#{kind}-{obj.pk}",
                    "label": f"{label} {obj.number} · {money_text(obj.amount, currency)}",
                    "note": f"{obj.created_at:%Y-%m-%d}",
                }
            )
    items.sort(key=lambda it: it.pop("created"))
    return WorkQueue(
        key="approvals_waiting",
        title=_("Waiting for your approval"),
        count=count,
        url=reverse("receivables:approvals"),
        empty_text=_(
            "Credit notes above the approval limit, refunds and write-offs that others ask for "
            "appear here for you to approve or reject. Nothing is waiting."
        ),
        items=items[:ITEMS],
    )


PROVIDERS = [receipts_to_book, approvals_waiting]
