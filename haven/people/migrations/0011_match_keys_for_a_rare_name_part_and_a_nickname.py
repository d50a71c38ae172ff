from django.db import migrations


def rebuild(apps, schema_editor):
    # New blocking rules: a rare part of either name alone, and the given name's usual form
    # (a nickname's) with the family name's first three letters. Every person's keys afresh
    # (the other rules' keys are unchanged).
    from haven.people.match_keys import rebuild_in_migration

    rebuild_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [("people", "0010_match_keys_for_each_name_part")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
