from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

# (url name, label, roles that see it); later issues add their pages here.
NAVIGATION = [
    ("home", _("Home"), None),
    # a partner's world is the portal: their own account, documents and queries, nothing else
    ("masterdata:account_list", _("Accounts"), [r for r in Role.values if r != Role.PARTNER]),
    ("masterdata:product_list", _("Products"), [r for r in Role.values if r != Role.PARTNER]),
    ("core:org_tree", _("Organisation"), [r for r in Role.values if r != Role.PARTNER]),
    ("imports:wizard", _("Imports"), [Role.ADMIN, Role.COORDINATOR]),
    ("portal:home", _("Partner portal"), [Role.PARTNER]),
    ("queries:list", _("Queries"), [r for r in Role.values if r != Role.PARTNER]),
    ("reports:schedule_list", _("Schedules"), [Role.ADMIN, Role.COORDINATOR, Role.FINANCE]),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for name, label, roles in NAVIGATION:
        if roles is not None and user.role not in roles and not user.is_superuser:
            continue
        try:
            url = reverse(name)
        except Exception:  # noqa: S112 - a page a later issue has not built yet
            continue
        items.append({"url": url, "label": label, "active": request.path == url})
    return {"nav_items": items}
