from django.db import migrations

from haven.assistance import taxonomy


def set_urgent_delays(apps, schema_editor):
    taxonomy.set_urgent_due_days(apps.get_model("assistance", "ServiceType"))


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0004_referral_reminders_and_urgent_due_days"),
    ]

    operations = [migrations.RunPython(set_urgent_delays, migrations.RunPython.noop)]
