"""Build the POST data an admin change form would send, from the rendered form."""


def _field_value(bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def _put(data, bound, key) -> None:
    """Add ``bound``'s value under ``key``; a split widget (date and time) posts one key per part."""
    value = _field_value(bound)
    widget = bound.field.widget
    if hasattr(widget, "widgets") and value not in ("", []):
        for index, part in enumerate(widget.decompress(bound.value())):
            data[f"{key}_{index}"] = "" if part is None else str(part)
    elif value not in ("", []):
        data[key] = value


def form_data(response) -> dict:
    """The data of the admin form and all its inlines as they were rendered."""
    data = {}
    adminform = response.context["adminform"]
    for name in adminform.form.fields:
        _put(data, adminform.form[name], name)
    context = response.context
    inlines = context["inline_admin_formsets"] if "inline_admin_formsets" in context else []
    for inline in inlines:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            for name in form.fields:
                _put(data, form[name], form.add_prefix(name))
    return data
