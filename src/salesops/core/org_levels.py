"""The default org level names, marked for translation (settings.ORG_LEVEL_NAMES holds the
configured names in English; templates translate them with {% translate unit.level_name %})."""

from django.utils.translation import gettext_noop

DEFAULT_LEVEL_NAMES = [
    gettext_noop("Company"),
    gettext_noop("Area Unit"),
    gettext_noop("Regional Unit"),
    gettext_noop("Market Unit"),
    gettext_noop("Territory"),
]
