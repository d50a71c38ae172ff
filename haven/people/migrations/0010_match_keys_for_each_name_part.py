from django.db import migrations


def rebuild(apps, schema_editor):
    # New blocking rules: any part of either name with the birth year, the place or a
    # contact (a name recorded alone or in the other field, the date mistyped). Every
    # person's keys afresh (the other rules' keys are unchanged).
    from haven.people.match_keys import rebuild_in_migration

    rebuild_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [("people", "0009_match_keys_for_name_forms_and_mistyped_identifiers")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
