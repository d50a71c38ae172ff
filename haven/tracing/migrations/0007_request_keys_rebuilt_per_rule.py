from django.db import migrations


def rebuild(apps, schema_editor):
    # The sought persons' keys, signed by each rule as the persons' keys now are.
    from haven.people.match_keys import keys_of_many
    from haven.tracing.selectors import sought_record

    Request = apps.get_model("tracing", "TracingRequest")
    Key = apps.get_model("tracing", "TracingRequestKey")
    Key.objects.all().delete()
    requests = list(Request.objects.order_by("pk"))
    keys = keys_of_many([sought_record(request) for request in requests])
    Key.objects.bulk_create(
        Key(request_id=request.pk, key=key)
        for request, request_keys in zip(requests, keys, strict=True)
        for key in request_keys
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracing", "0006_person_match_keys_moved_to_people"),
        ("people", "0007_match_keys_rebuilt_per_rule"),
    ]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
