from django.db import migrations


def rebuild(apps, schema_editor):
    # The sought person's record now names the enquirer among their relatives.
    from haven.tracing.match_keys import rebuild_request_keys

    rebuild_request_keys(
        apps.get_model("tracing", "TracingRequest"), apps.get_model("tracing", "TracingRequestKey")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracing", "0007_request_keys_rebuilt_per_rule"),
        ("people", "0008_match_keys_with_relatives_documents_contacts"),
    ]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
