"""Rows as the ORM would insert them, for the few hot paths that write several rows in one
statement (PostgreSQL's data-modifying WITH)."""

from django.db import connection


def insert_columns(model, skip=()) -> list:
    """The fields an INSERT of `model` writes, as Model.save() chooses them: every local
    concrete field but the auto primary key and generated columns (and `skip`)."""
    meta = model._meta
    return [
        f
        for f in meta.local_concrete_fields
        if f is not meta.auto_field and not f.generated and f.attname not in skip
    ]


def prepared_values(obj, fields) -> list:
    """Each field's value ready for the database, after its pre_save (auto_now dates are set
    on `obj` too), as the ORM prepares them (encrypted fields encrypt here)."""
    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]


def column_list(fields, *leading: str) -> str:
    quote = connection.ops.quote_name
    return ", ".join([*(quote(name) for name in leading), *(quote(f.column) for f in fields)])


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)
