"""Assessment answers move from a plain JSON column to an encrypted one: a new column is
added, every response's answers are copied into it (encrypted on the way), the plain column
goes and the new one takes its name."""

from django.db import migrations

import haven.core.fields


def seal_answers(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    for assessment in Assessment.objects.only("pk", "answers").iterator(chunk_size=500):
        Assessment.objects.filter(pk=assessment.pk).update(sealed_answers=assessment.answers)


def open_answers(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    for assessment in Assessment.objects.only("pk", "sealed_answers").iterator(chunk_size=500):
        Assessment.objects.filter(pk=assessment.pk).update(answers=assessment.sealed_answers)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_scheduled_rounds")]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="sealed_answers",
            field=haven.core.fields.EncryptedJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(seal_answers, open_answers),
        migrations.RemoveField(model_name="assessment", name="answers"),
        migrations.RenameField(
            model_name="assessment", old_name="sealed_answers", new_name="answers"
        ),
        migrations.AlterField(
            model_name="assessment",
            name="answers",
            field=haven.core.fields.EncryptedJSONField(
                blank=True, default=dict, verbose_name="answers"
            ),
        ),
    ]
