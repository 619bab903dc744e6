from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "salesops.portal"
    label = "portal"
    verbose_name = _("Partner portal")

    def ready(self):
        from salesops.core import selectors

        from . import queues

        # The partner's portal card comes first on a partner's home page (the other cards
        # return nothing for a partner but their account card); "Queries due" is appended.
        if queues.partner_portal not in selectors.WORK_QUEUE_PROVIDERS:
            selectors.WORK_QUEUE_PROVIDERS.insert(0, queues.partner_portal)
        if queues.queries_due not in selectors.WORK_QUEUE_PROVIDERS:
            selectors.WORK_QUEUE_PROVIDERS.append(queues.queries_due)
