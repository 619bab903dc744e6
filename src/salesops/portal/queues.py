"""Home-page cards of the portal and the query inbox, registered in PortalConfig.ready().

- partner_portal: a partner's way into the portal (their home page lists its sections with
  what is in each). Partners land on the home page like everyone else and go on from there;
  the home view (core) is not changed.
- queries_due: the coordinator's (and admin's) open queries, due soonest first; finance sees
  the ones it owns.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from salesops.core.models import Role
from salesops.core.scoping import scope_for
from salesops.core.selectors import WorkQueue
from salesops.receivables import queries, selectors
from salesops.receivables.models import Query

COUNT_CAP = 1000
ITEMS = 5


def _role(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def sla_note(query: Query, now=None) -> str:
    now = now or timezone.now()
    if query.status != Query.Status.OPEN:
        return query.get_status_display()
    if query.due_at < now:
        return _("overdue by %(time)s") % {"time": timesince(query.due_at, now, depth=1)}
    return _("due in %(time)s") % {"time": timeuntil(query.due_at, now, depth=1)}


def queries_due(user) -> WorkQueue | None:
    role = _role(user)
    if role not in (Role.ADMIN, Role.COORDINATOR, Role.FINANCE):
        return None
    qs = queries.query_list(user=user, status=Query.Status.OPEN, mine=role == Role.FINANCE)
    url = reverse("queries:list") + "?" + urlencode({"status": Query.Status.OPEN})
    now = timezone.now()
    items = []
    for q in qs[:ITEMS]:
        who = q.account.name if q.account else (q.raised_by.username if q.raised_by else "")
        note = sla_note(q, now)
        items.append(
            {
                "url": reverse("queries:detail", args=[q.pk]),
                "label": f"{q.number} · {q.subject}",
                "note": f"{note} · {who}" if who else note,
            }
        )
    return WorkQueue(
        key="queries_due",
        title=_("Queries due"),
        count=qs.order_by().values("pk")[: COUNT_CAP + 1].count(),
        url=url,
        empty_text=_(
            "Questions from partners and sales reps that wait for an answer appear here, the "
            "one due soonest first. None are waiting."
        ),
        items=items,
    )


def partner_portal(user) -> WorkQueue | None:
    """Not a queue: the partner's entry to the portal with what each section holds."""
    if _role(user) != Role.PARTNER:
        return None
    scope = scope_for(user)
    if scope.kind != "account":
        return None  # the masterdata "Your account" card already says the login is not linked
    account_id = scope.account_id
    today = timezone.localdate()
    inv = selectors.open_items(user=user, account_id=account_id).aggregate(
        n=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today))
    )
    lines = selectors.order_board_lines(user=user, account_id=account_id).count()
    open_q = queries.query_list(user=user, status="active").count()
    balances = selectors.account_balance(user=user, account_id=account_id)
    from .templatetags.portal_tags import money

    balance_text = ", ".join(money(v, c) for c, v in balances.items()) or money(0, "")
    items = [
        {
            "url": reverse("portal:invoices"),
            "label": _("Open items"),
            "note": ngettext(
                "%(n)s open invoice, %(overdue)s overdue · balance %(balance)s",
                "%(n)s open invoices, %(overdue)s overdue · balance %(balance)s",
                inv["n"],
            )
            % {"n": inv["n"], "overdue": inv["overdue"], "balance": balance_text},
        },
        {
            "url": reverse("portal:orders"),
            "label": _("Order board"),
            "note": ngettext(
                "%(n)s order line still to ship", "%(n)s order lines still to ship", lines
            )
            % {"n": lines},
        },
        {
            "url": reverse("portal:payments"),
            "label": _("Payments"),
            "note": _("What each of your payments paid"),
        },
        {
            "url": reverse("portal:statements"),
            "label": _("Statements"),
            "note": _("Your account statement for any month"),
        },
        {
            "url": reverse("portal:queries"),
            "label": _("Your queries"),
            "note": ngettext("%(n)s open", "%(n)s open", open_q) % {"n": open_q},
        },
    ]
    return WorkQueue(
        key="partner_portal",
        title=_("Your partner portal"),
        count=None,
        url=reverse("portal:home"),
        empty_text="",
        items=items,
    )
