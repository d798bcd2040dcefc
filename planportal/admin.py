"""The admin site: Plan Portal's titles, and autocomplete labels a ModelAdmin may refine."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import BadRequest
from django.utils.translation import gettext_lazy as _

from planportal.params import carries_nul


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

    def admin_view(self, view, cacheable=False):
        """Every admin view refuses (400) a query string carrying U+0000: the admin
        hands search terms, filters and autocomplete terms to the database as they come."""
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def inner(request, *args, **kwargs):
            if carries_nul(request.GET):
                raise BadRequest("NUL character in the query string")
            return checked(request, *args, **kwargs)

        return inner

    def autocomplete_view(self, request):
        return LabelledAutocompleteView.as_view(admin_site=self)(request)
