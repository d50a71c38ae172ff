from django.db import migrations


def rebuild(apps, schema_editor):
    # Each blocking rule now signs its own keys, and rules were added (a record without a
    # name meets one born the same day in the same place; a rare full name alone): every
    # person's keys afresh.
    from haven.people.match_keys import rebuild_in_migration

    rebuild_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [("people", "0006_person_match_keys_belong_to_people")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
