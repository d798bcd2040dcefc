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


def form_data(response) -> dict:
    """The data of the admin form and all its inlines as they were rendered."""
    data = {}
    adminform = response.context["adminform"]
    for name in adminform.form.fields:
        value = _field_value(adminform.form[name])
        if value not in ("", []):
            data[name] = value
    context = response.context
    inlines = context["inline_admin_formsets"] if "inline_admin_formsets" in context else []
    for inline in inlines:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            for name in form.fields:
                value = _field_value(form[name])
                if value not in ("", []):
                    data[form.add_prefix(name)] = value
    return data
