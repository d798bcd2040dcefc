"""The admin site: Plan Portal's titles, panels on its home page, and autocomplete
labels a ModelAdmin may refine."""

from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import BadRequest
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext_lazy as _

from planportal.params import carries_nul

REGEX_LOOKUPS = {"regex", "iregex"}


class LabelledAutocompleteView(AutocompleteJsonView):
    """Let a ModelAdmin label its autocomplete results with ``autocomplete_label(obj)``."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label:
            result["text"] = label(obj)
        return result


# Each panel is ``panel(request) -> (template name, context) or None``: an app shows
# a user their work first on the admin's home page (e.g. a bureau editor's open tasks).
_home_panels: list[Callable] = []


def register_home_panel(panel: Callable) -> None:
    if panel not in _home_panels:
        _home_panels.append(panel)


class PlanPortalAdminSite(admin.AdminSite):
    site_header = _("Plan Portal 管理")
    site_title = _("Plan Portal 管理")
    index_title = _("計画の管理")

    def index(self, request, extra_context=None):
        panels = [shown for shown in (panel(request) for panel in _home_panels) if shown]
        return super().index(request, {"home_panels": panels, **(extra_context or {})})

    def admin_view(self, view, cacheable=False):
        """Every admin view refuses (400) what the admin hands to the database as it
        comes but the database may fail on: a query string carrying U+0000 (refused
        by PostgreSQL in any text), or a filter by regular expression (``?text__regex=(``
        is an invalid pattern; the admin never offers such a filter)."""
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def inner(request, *args, **kwargs):
            if carries_nul(request.GET):
                raise BadRequest("NUL character in the query string")
            if any(key.rsplit(LOOKUP_SEP, 1)[-1] in REGEX_LOOKUPS for key in request.GET):
                raise BadRequest("Filtering by a regular expression is not offered")
            return checked(request, *args, **kwargs)

        return inner

    def autocomplete_view(self, request):
        return LabelledAutocompleteView.as_view(admin_site=self)(request)
