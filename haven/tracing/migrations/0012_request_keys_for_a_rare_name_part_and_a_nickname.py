from django.db import migrations


def rebuild(apps, schema_editor):
    # The same new rules for the sought persons of tracing requests.
    from haven.tracing.match_keys import rebuild_request_keys

    rebuild_request_keys(
        apps.get_model("tracing", "TracingRequest"), apps.get_model("tracing", "TracingRequestKey")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracing", "0011_request_keys_for_each_name_part"),
        ("people", "0011_match_keys_for_a_rare_name_part_and_a_nickname"),
    ]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
