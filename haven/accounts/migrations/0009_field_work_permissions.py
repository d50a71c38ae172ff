from django.db import migrations


def refresh_builtin_roles(apps, schema_editor):
    from haven.accounts.roles import sync_builtin_roles

    sync_builtin_roles(apps.get_model("accounts", "Role"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_case_export_permission")]
    operations = [migrations.RunPython(refresh_builtin_roles, migrations.RunPython.noop)]
