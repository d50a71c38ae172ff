from django.db import migrations


def rebuild(apps, schema_editor):
    # New blocking rules: another form of the given name (a nickname, a short form) with the
    # family name or with the birth year and place, and a document or contact with one
    # character mistyped. Every person's keys afresh (the other rules' keys are unchanged).
    from haven.people.match_keys import rebuild_in_migration

    rebuild_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [("people", "0008_match_keys_with_relatives_documents_contacts")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
