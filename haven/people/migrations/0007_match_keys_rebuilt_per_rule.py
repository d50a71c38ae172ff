from django.db import migrations

BATCH = 2000


def rebuild(apps, schema_editor):
    # Each blocking rule now signs its own keys, and a rule was added (a record without a
    # name meets one born the same day in the same place): every person's keys afresh.
    from haven.people.match_keys import keys_of_many, person_record

    Person = apps.get_model("people", "Person")
    Key = apps.get_model("people", "PersonMatchKey")
    Key.objects.all().delete()
    persons = Person.objects.filter(merged_into__isnull=True).order_by("pk")
    chunk = []
    for person in persons.iterator(chunk_size=BATCH):
        chunk.append(person)
        if len(chunk) == BATCH:
            _store(Key, chunk, keys_of_many, person_record)
            chunk = []
    _store(Key, chunk, keys_of_many, person_record)


def _store(Key, persons, keys_of_many, person_record):
    keys = keys_of_many([person_record(person) for person in persons])
    Key.objects.bulk_create(
        Key(person_id=person.pk, key=key)
        for person, person_keys in zip(persons, keys, strict=True)
        for key in person_keys
    )


class Migration(migrations.Migration):
    dependencies = [("people", "0006_person_match_keys_belong_to_people")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
