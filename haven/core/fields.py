import json

from django.core import validators
from django.db import models

from haven.core import crypto


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code only ever sees the plain text."""

    description = "Text encrypted at rest"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value)


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (answers to a questionnaire: names, phones…) stored as one Fernet token:
    Python code sees the value, the database only ciphertext. Not searchable in SQL."""

    description = "JSON encrypted at rest"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return json.loads(text) if text not in (None, "") else {}

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value) if value else {}
        return value

    def get_prep_value(self, value):
        if value is None:
            return value
        return crypto.encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False, sort_keys=True)


class EncryptedBinaryField(EncryptedTextField):
    """Bytes (a photo, a recording) stored as one Fernet token: rotated with the other
    encrypted fields, never readable in the database."""

    description = "Bytes encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return b""
        return crypto.decrypt_bytes(value)

    def to_python(self, value):
        return value if isinstance(value, bytes) else b""

    def get_prep_value(self, value):
        if value in (None, b""):
            return ""
        return crypto.encrypt_bytes(bytes(value))

    def value_to_string(self, obj):
        return ""  # never serialised in the clear
