"""Re-encrypt every encrypted column under the primary key (used by `haven rotate-keys`)."""

from django.apps import apps
from django.db import transaction

from haven.core import crypto
from haven.core.fields import EncryptedTextField


def encrypted_columns():
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


def rotate_all(batch: int = 2000) -> dict[str, int]:
    from haven.people.actions import normalise_document_number
    from haven.people.match_keys import rebuild_keys
    from haven.people.models import IdentityDocument, Person, PersonMatchKey

    counts = {}
    for model, names in encrypted_columns():
        done = 0
        pks = list(model._base_manager.values_list("pk", flat=True).order_by("pk"))
        for start in range(0, len(pks), batch):
            chunk = pks[start : start + batch]
            with transaction.atomic():
                for obj in model._base_manager.filter(pk__in=chunk).only("pk", *names):
                    # Saving re-encrypts with the primary key (the field encrypts on save).
                    values = {n: getattr(obj, n) for n in names}
                    model._base_manager.filter(pk=obj.pk).update(**values)
                    done += 1
        counts[f"{model._meta.label}"] = done
    with transaction.atomic():
        for document in IdentityDocument.objects.only("pk", "number"):
            IdentityDocument.objects.filter(pk=document.pk).update(
                number_index=crypto.blind_index(normalise_document_number(document.number))
            )
    # Documents and contacts reach matching as digests under the primary key too.
    counts["people.PersonMatchKey"] = rebuild_keys(Person.objects.all(), PersonMatchKey)
    return counts
