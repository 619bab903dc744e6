"""Recompute Account.name_search now that the key collapses white space."""

from django.db import migrations

BATCH = 5000


def recompute(apps, schema_editor):
    from salesops.masterdata.models import account_name_search_key

    account = apps.get_model("masterdata", "Account")
    last = 0
    while True:
        rows = list(
            account.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "name", "name_search")[:BATCH]
        )
        if not rows:
            return
        changed = []
        for row in rows:
            key = account_name_search_key(row.name)
            if key != row.name_search:
                row.name_search = key
                changed.append(row)
        account.objects.bulk_update(changed, ["name_search"], batch_size=1000)
        last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [("masterdata", "0003_account_status_index")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
