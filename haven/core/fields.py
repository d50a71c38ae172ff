from django.db import models

from haven.core import crypto


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code only ever sees the plain text."""

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value)
