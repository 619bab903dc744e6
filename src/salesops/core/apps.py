from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "salesops.core"
    label = "core"
    verbose_name = "Core"
