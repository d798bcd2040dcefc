"""The admin site: Plan Portal's titles, and autocomplete labels a ModelAdmin may refine."""

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


class PlanPortalAdminSite(admin.AdminSite):
    site_header = _("Plan Portal 管理")
    site_title = _("Plan Portal 管理")
    index_title = _("計画の管理")

    def autocomplete_view(self, request):
        return LabelledAutocompleteView.as_view(admin_site=self)(request)
