from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivablesConfig(AppConfig):
    name = "salesops.receivables"
    label = "receivables"
    verbose_name = _("Receivables")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from salesops.core import context_processors, selectors
        from salesops.core.models import Role

        from . import queues

        # The desk's queues lead the home page: receipts have a 24-hour clock.
        for i, provider in enumerate(queues.PROVIDERS):
            if provider not in selectors.WORK_QUEUE_PROVIDERS:
                selectors.WORK_QUEUE_PROVIDERS.insert(i, provider)
        entry = ("receivables:home", _("Receivables"), [Role.ADMIN, Role.COORDINATOR, Role.FINANCE])
        if entry not in context_processors.NAVIGATION:
            context_processors.NAVIGATION.append(entry)
