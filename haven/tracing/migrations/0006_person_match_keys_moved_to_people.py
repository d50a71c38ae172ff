from django.db import migrations


class Migration(migrations.Migration):
    """PersonMatchKey now belongs to people (its table is unchanged)."""

    dependencies = [
        ("tracing", "0005_free_text_limits"),
        ("people", "0006_person_match_keys_belong_to_people"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PersonMatchKey")],
            database_operations=[],
        ),
    ]
