from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from policies.staff_admin import ContentAdmin
from schedule.models import PlanPeriod


@admin.register(PlanPeriod)
class PlanPeriodAdmin(ContentAdmin):
    list_display = ["name", "plan", "part", "phase", "fiscal_years", "span_note"]
    list_filter = ["plan", "part"]
    search_fields = ["name", "plan__title"]
    autocomplete_fields = ["plan"]

    @admin.display(description=_("期間"), ordering="start_fiscal_year")
    def fiscal_years(self, period):
        return period.label
