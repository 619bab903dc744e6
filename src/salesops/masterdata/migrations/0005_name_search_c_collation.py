"""On PostgreSQL, Account.name_search sorts by code point (COLLATE "C").

Prefix search is a range [key, key with its last character bumped) on this column, which is
only right when the column orders by code point. SQLite's default BINARY collation does; a
PostgreSQL database created with a language collation (en_US.UTF-8, zh_CN.UTF-8 ...) does not,
so the column gets the "C" collation there. ALTER ... TYPE rebuilds the indexes that use it.
"""

from django.db import migrations

FORWARD = 'ALTER TABLE masterdata_account ALTER COLUMN name_search TYPE varchar(255) COLLATE "C"'
BACKWARD = "ALTER TABLE masterdata_account ALTER COLUMN name_search TYPE varchar(255)"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("masterdata", "0004_name_search_collapse_space")]
    operations = [migrations.RunPython(forward, backward)]
