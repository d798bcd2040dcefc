"""The admin site: Plan Portal's titles, panels on its home page, and autocomplete
labels a ModelAdmin may refine."""

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.utils.translation import gettext_lazy as _


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

    def autocomplete_view(self, request):
        return LabelledAutocompleteView.as_view(admin_site=self)(request)
