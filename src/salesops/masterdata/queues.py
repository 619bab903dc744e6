"""Home-page work queues for master data, registered in MasterdataConfig.ready().

Each provider takes the user and returns a core.selectors.WorkQueue, or None when the queue
is not for that role. Counts are bounded (COUNT_CAP) so the home page stays fast at a
million accounts; the list page behind each queue shows the rest.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from salesops.core.models import Role
from salesops.core.selectors import WorkQueue

from . import selectors
from .models import Account

COUNT_CAP = 1000
ITEMS = 5

STAFF = (Role.ADMIN, Role.COORDINATOR)


def _role(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def _list_url(**params) -> str:
    return reverse("masterdata:account_list") + ("?" + urlencode(params) if params else "")


def _bounded_count(qs) -> int:
    return qs.order_by().values("pk")[: COUNT_CAP + 1].count()


def _account_items(qs, note=None, fields=("number",)) -> list[dict]:
    """The first few accounts of a queue as links; `note(account)` says why each is there."""
    return [
        {
            "url": reverse("masterdata:account_detail", args=[a.pk]),
            "label": a.name,
            "note": note(a) if note else a.number,
        }
        for a in qs.select_related(None).only("pk", "name", *fields)[:ITEMS]
    ]


def _queue(key, title, qs, url, empty_text, note=None) -> WorkQueue:
    return WorkQueue(
        key=key,
        title=title,
        count=_bounded_count(qs),
        url=url,
        empty_text=empty_text,
        items=_account_items(qs, note),
    )


def accounts_requested(user) -> WorkQueue | None:
    if _role(user) not in STAFF:
        return None
    qs = selectors.account_queryset(user=user).filter(status=Account.Status.REQUESTED)
    return _queue(
        "accounts_requested",
        _("Accounts awaiting activation"),
        qs.order_by("-created_at"),
        _list_url(status=Account.Status.REQUESTED),
        _(
            "Requests to open customer accounts appear here for you to check and activate. "
            "Nobody is waiting right now."
        ),
    )


def accounts_on_hold(user) -> WorkQueue | None:
    if _role(user) not in (*STAFF, Role.FINANCE):
        return None
    qs = selectors.account_queryset(user=user).filter(status=Account.Status.ON_HOLD)
    if _role(user) == Role.FINANCE:
        empty = _(
            "Accounts put on hold appear here so you can review them before they are released. "
            "Accounts over their credit limit will be listed here once orders and invoices "
            "arrive."
        )
    else:
        empty = _(
            "Accounts put on hold (for example for unpaid invoices) appear here until someone "
            "releases them. None are on hold."
        )
    return _queue(
        "accounts_on_hold",
        _("Accounts on hold"),
        qs.order_by("-created_at"),
        _list_url(status=Account.Status.ON_HOLD),
        empty,
    )


MISSING_DATA = Q(phone="") | Q(email="") | Q(tax_id="")


def _missing_note(a) -> str:
    missing = []
    if not a.phone:
        missing.append(_("phone"))
    if not a.email:
        missing.append(_("e-mail"))
    if not a.tax_id:
        missing.append(_("tax id"))
    return _("missing: %(fields)s") % {"fields": ", ".join(missing)}


def team_accounts_without_owner(user) -> WorkQueue | None:
    if _role(user) != Role.MANAGER:
        return None
    qs = (
        selectors.account_queryset(user=user)
        .filter(owner__isnull=True)
        .exclude(status=Account.Status.CLOSED)
    )
    return _queue(
        "team_accounts_without_owner",
        _("Team accounts without an owner"),
        qs.order_by("name_search", "id"),
        "",  # the account list has no filter for this yet
        _(
            "Accounts in your territories that nobody owns appear here so you can assign a "
            "rep. Every account has an owner."
        ),
    )


def _missing_data_queue(key, title, qs, empty_text) -> WorkQueue:
    qs = qs.filter(MISSING_DATA).exclude(status=Account.Status.CLOSED).order_by("name_search", "id")
    return WorkQueue(
        key=key,
        title=title,
        count=_bounded_count(qs),
        url="",  # the account list has no filter for this yet
        empty_text=empty_text,
        items=_account_items(qs, _missing_note, ("phone", "email", "tax_id")),
    )


def team_accounts_missing_data(user) -> WorkQueue | None:
    if _role(user) != Role.MANAGER:
        return None
    return _missing_data_queue(
        "team_accounts_missing_data",
        _("Team accounts missing phone, e-mail or tax id"),
        selectors.account_queryset(user=user),
        _(
            "Your team's accounts that lack a phone number, e-mail address or tax id appear "
            "here. All of them are complete."
        ),
    )


def own_accounts_missing_data(user) -> WorkQueue | None:
    if _role(user) != Role.REP:
        return None
    return _missing_data_queue(
        "own_accounts_missing_data",
        _("Your accounts missing phone, e-mail or tax id"),
        selectors.account_queryset(user=user),
        _(
            "Accounts you own that lack a phone number, e-mail address or tax id appear here "
            "so you can complete them. All of yours are complete."
        ),
    )


def partner_own_account(user) -> WorkQueue | None:
    """Not a queue: the partner's card with their own account and its contacts."""
    if _role(user) != Role.PARTNER:
        return None
    account = selectors.account_queryset(user=user).first()
    if account is None:
        return WorkQueue(
            key="partner_account",
            title=_("Your account"),
            count=None,
            url="",
            empty_text=_(
                "Your login is not linked to a partner account yet. Ask your sales "
                "operations contact to link it; your account and its contacts then appear here."
            ),
        )
    url = reverse("masterdata:account_detail", args=[account.pk])
    items = [
        {
            "url": url,
            "label": account.name,
            "note": f"{account.number} · {account.get_status_display()}",
        }
    ]
    for c in selectors.contact_list(user=user, account_id=account.pk)[:20]:
        note = " ".join(x for x in (c.title, c.email, c.phone) if x)
        items.append({"url": "", "label": str(c), "note": note})
    return WorkQueue(
        key="partner_account",
        title=_("Your account"),
        count=None,
        url=url,
        empty_text="",
        items=items,
    )


PROVIDERS = [
    accounts_requested,
    accounts_on_hold,
    team_accounts_without_owner,
    team_accounts_missing_data,
    own_accounts_missing_data,
    partner_own_account,
]
