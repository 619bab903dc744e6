"""The Simplified Chinese catalogue ships complete, compiled, and with every placeholder kept."""

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import salesops

LC = Path(salesops.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\w*\}")


@pytest.fixture(scope="module")
def catalog():
    with open(LC / "django.po", "rb") as f:
        return [m for m in read_po(f) if m.id]


def _first(value):
    return value[0] if isinstance(value, tuple) else value


def test_every_message_has_a_chinese_translation(catalog):
    untranslated = [_first(m.id) for m in catalog if not _first(m.string) or m.fuzzy]
    assert untranslated == []


def test_translations_keep_every_placeholder(catalog):
    broken = [
        _first(m.id)
        for m in catalog
        if sorted(PLACEHOLDER.findall(_first(m.id)))
        != sorted(PLACEHOLDER.findall(_first(m.string)))
    ]
    assert broken == []


def test_compiled_catalogue_matches_the_source(catalog):
    with open(LC / "django.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = []
    for m in catalog:
        if isinstance(m.id, tuple):
            got = mo.ngettext(m.id[0], m.id[1], 1)
        else:
            got = mo.gettext(m.id) if not m.context else mo.pgettext(m.context, m.id)
        if got != _first(m.string):
            stale.append(_first(m.id))
    assert stale == [], "run `make messages` to recompile django.mo"
