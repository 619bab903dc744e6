from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "salesops.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import queues, selectors

        for provider in queues.PROVIDERS:
            if provider not in selectors.WORK_QUEUE_PROVIDERS:
                selectors.WORK_QUEUE_PROVIDERS.append(provider)
