"""One small demo company per test module, generated once inside a transaction that is
rolled back when the module ends (so other test files never see it)."""

from __future__ import annotations

import pytest

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import transaction
    from django.test import override_settings

    from salesops.demo import generate

    data_dir = tmp_path_factory.mktemp("demo-data")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        ctx = generate(size="small", seed=1, data_dir=data_dir, out=lambda line: None)
        yield ctx
        transaction.set_rollback(True)
