from django.db import migrations, models


def make_xforms(apps, schema_editor):
    """Every version already published gets the XForm its own file makes."""
    from haven.scoring.xform import xform_of

    definitions = apps.get_model("assessments", "AssessmentDefinition")
    db = schema_editor.connection.alias
    for definition in definitions.objects.using(db).filter(xform="").iterator():
        definition.xform = xform_of(bytes(definition.source))
        definition.save(update_fields=["xform"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_imported_responses_keep_their_instance_id")]

    operations = [
        migrations.AddField(
            model_name="assessmentdefinition",
            name="xform",
            field=models.TextField(blank=True, default="", verbose_name="XForm"),
        ),
        migrations.RunPython(make_xforms, migrations.RunPython.noop),
    ]
