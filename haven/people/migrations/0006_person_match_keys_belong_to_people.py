import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The blocking keys of persons move from tracing to people (registration writes them):
    the table stays as it is, only Django's idea of whose model it is changes."""

    dependencies = [
        ("people", "0005_free_text_limits"),
        ("tracing", "0005_free_text_limits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PersonMatchKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(db_index=True, max_length=24)),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="people.person",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tracing_personmatchkey",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("person", "key"), name="tracing_key_once_per_person"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
