from django.db import migrations


def create_builtin_roles(apps, schema_editor):
    from haven.accounts.roles import sync_builtin_roles

    sync_builtin_roles(apps.get_model("accounts", "Role"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_builtin_roles, migrations.RunPython.noop)]
