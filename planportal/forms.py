"""Staff form input, cleaned once where it enters: multi-line text as the portal stores it."""

from django import forms
from django.db import models


def normalise_text(value: str) -> str:
    """LF line endings and no spaces at line ends.

    Browsers send a textarea with CRLF line endings and the stored text has LF:
    unnormalised, every save would change every multi-line text nobody touched.
    """
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip(" \t") for line in lines)


class MultilineTextField(forms.CharField):
    """A textarea's text, normalised; the stored text compares normalised too."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_text(value) if isinstance(value, str) else value

    def has_changed(self, initial, data):
        if isinstance(initial, str):
            initial = normalise_text(initial)
        return super().has_changed(initial, data)


class NormalisedTextMixin:
    """A ModelAdmin or inline whose text fields (``TextField``) normalise their input."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.TextField) and not db_field.choices:
            kwargs.setdefault("form_class", MultilineTextField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
