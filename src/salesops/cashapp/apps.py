from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CashappConfig(AppConfig):
    """Cash application and bank reconciliation: bank files in, receipts matched and booked.

    No models yet: for now the app carries the file commands (`salesops bank read`,
    `salesops cash match`) over the pure engines in salesops.engines.bankfiles and
    salesops.engines.matching."""

    name = "salesops.cashapp"
    label = "cashapp"
    verbose_name = _("Cash application")
    default_auto_field = "django.db.models.BigAutoField"
