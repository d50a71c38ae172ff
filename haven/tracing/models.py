"""What tracing and duplicate detection keep: the blocking keys of every person."""

from django.db import models


class PersonMatchKey(models.Model):
    """One hashed blocking key of a person (see haven.linkage.keys): the index that finds
    the few persons worth comparing with a new record, among all agencies' persons."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=24, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="tracing_key_once_per_person")
        ]
