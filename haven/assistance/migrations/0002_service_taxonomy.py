from django.db import migrations


def install_taxonomy(apps, schema_editor):
    from haven.assistance.taxonomy import install

    install(apps.get_model("assistance", "ServiceType"))


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_service_directory_and_referrals")]
    operations = [migrations.RunPython(install_taxonomy, migrations.RunPython.noop)]
