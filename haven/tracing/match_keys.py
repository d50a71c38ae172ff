"""The stored blocking keys of tracing requests: the sought person's, as persons' are."""

from haven.people.match_keys import keys_of, keys_of_many
from haven.tracing.models import TracingRequestKey
from haven.tracing.selectors import sought_record


def store_request_keys(request) -> None:
    """The request's keys afresh (after it was opened or changed)."""
    TracingRequestKey.objects.filter(request=request).delete()
    TracingRequestKey.objects.bulk_create(
        TracingRequestKey(request=request, key=k) for k in keys_of(sought_record(request))
    )


def rebuild_request_keys(request_model, key_model) -> int:
    """Every request's keys afresh (a migration passes its historical models)."""
    key_model.objects.all().delete()
    requests = list(request_model.objects.select_related("case__person").order_by("pk"))
    keys = keys_of_many([sought_record(request) for request in requests])
    key_model.objects.bulk_create(
        key_model(request_id=request.pk, key=key)
        for request, request_keys in zip(requests, keys, strict=True)
        for key in request_keys
    )
    return len(requests)
