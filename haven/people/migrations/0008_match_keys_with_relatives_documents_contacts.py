from django.db import migrations


def rebuild(apps, schema_editor):
    # Persons' records now carry their relatives' names, document keys and contact keys,
    # and a document or a contact alone is a blocking rule: every person's keys afresh.
    from haven.people.match_keys import rebuild_in_migration

    rebuild_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [("people", "0007_match_keys_rebuilt_per_rule")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
