from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MasterdataConfig(AppConfig):
    name = "salesops.masterdata"
    label = "masterdata"
    verbose_name = _("Master data")

    def ready(self):
        from salesops.core import selectors

        from . import queues

        # Master-data queues come before the imports queue core registered.
        for i, provider in enumerate(queues.PROVIDERS):
            if provider not in selectors.WORK_QUEUE_PROVIDERS:
                selectors.WORK_QUEUE_PROVIDERS.insert(i, provider)
