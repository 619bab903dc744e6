from django.apps import AppConfig


class MasterdataConfig(AppConfig):
    name = "salesops.masterdata"
    label = "masterdata"
    verbose_name = "Master data"
