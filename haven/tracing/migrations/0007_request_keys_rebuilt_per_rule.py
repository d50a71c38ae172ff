from django.db import migrations


def rebuild(apps, schema_editor):
    # The sought persons' keys, signed by each rule as the persons' keys now are.
    from haven.tracing.match_keys import rebuild_request_keys

    rebuild_request_keys(
        apps.get_model("tracing", "TracingRequest"), apps.get_model("tracing", "TracingRequestKey")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracing", "0006_person_match_keys_moved_to_people"),
        ("people", "0007_match_keys_rebuilt_per_rule"),
    ]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
