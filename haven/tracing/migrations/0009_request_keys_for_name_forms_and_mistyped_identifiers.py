from django.db import migrations


def rebuild(apps, schema_editor):
    # The same new rules for the sought persons of tracing requests.
    from haven.tracing.match_keys import rebuild_request_keys

    rebuild_request_keys(
        apps.get_model("tracing", "TracingRequest"), apps.get_model("tracing", "TracingRequestKey")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracing", "0008_request_keys_with_the_enquirer_as_relative"),
        ("people", "0009_match_keys_for_name_forms_and_mistyped_identifiers"),
    ]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
