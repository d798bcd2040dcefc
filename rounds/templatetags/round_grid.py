"""The grid's input fields, rendered in Python: a page of 200 rows has 800 of them, and
Django's template-based widgets would take seconds to render them."""

from django import template
from django.forms import Select
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def grid_field(bound, task_id):
    """The field's control and its hidden initial value (the row counts as changed only
    when its editor changed it): what ``{{ bound }}`` renders, only faster. It is named
    by its column's header and its row's project ("実績 緑化推進事業")."""
    form, field = bound.form, bound.field
    value = bound.value()
    value = "" if value is None else str(value)
    if form.is_bound:
        initial = form.data.get(bound.html_initial_name, "")
    else:
        initial = "" if bound.initial is None else str(bound.initial)
    attributes = format_html(' aria-labelledby="col-{} project-{}"', bound.name, task_id)
    if bound.errors:
        attributes += mark_safe(' aria-invalid="true"')
    if isinstance(field.widget, Select):
        options = form.scales.options_html(bound.name, value)
        control = format_html(
            '<select name="{}" id="{}"{}>{}</select>',
            bound.html_name,
            bound.auto_id,
            attributes,
            options,
        )
    else:
        control = format_html(
            '<textarea name="{}" id="{}" rows="2" maxlength="{}"{}>\n{}</textarea>',
            bound.html_name,
            bound.auto_id,
            field.max_length,
            attributes,
            value,
        )
    return format_html(
        '{}<input type="hidden" name="{}" value="{}" id="initial-{}">',
        control,
        bound.html_initial_name,
        initial,
        bound.auto_id,
    )
