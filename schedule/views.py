"""Public pages of a plan's schedule: its periods as a timeline, its drafting
milestones, and the same milestones as an iCalendar feed."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from planportal.views import VisibleContentMixin
from schedule.ical import schedule_calendar
from schedule.models import Milestone
from schedule.timeline import build_timeline


class ScheduleMixin(VisibleContentMixin):
    def schedule_of(self, slug):
        plan = self.visible_or_404(
            Milestone.plan_model().objects.select_related("municipality"), slug=slug
        )
        milestones = self.visible(plan.milestones.all()).select_related("document", "period")
        return plan, list(plan.periods.all()), list(milestones.chronological())


class PlanScheduleView(ScheduleMixin, TemplateView):
    """A plan's periods (years across, parts down) and its drafting milestones by fiscal year."""

    template_name = "schedule/plan_schedule.html"

    def get_context_data(self, slug, **kwargs):
        plan, periods, milestones = self.schedule_of(slug)
        if not periods and not milestones:
            raise Http404(_("この計画には計画期間も策定スケジュールもありません。"))
        return super().get_context_data(
            plan=plan,
            timeline=build_timeline(periods),
            milestones=milestones,
            trail=[{"label": _("計画期間と策定スケジュール")}],
            **kwargs,
        )


class PlanCalendarView(ScheduleMixin, View):
    """The drafting milestones of a plan as text/calendar."""

    def get(self, request, slug):
        plan, _periods, milestones = self.schedule_of(slug)
        schedule_url = request.build_absolute_uri(reverse("schedule:plan_schedule", args=[slug]))
        body = schedule_calendar(
            milestones,
            name=_("%(title)sの策定スケジュール") % {"title": plan.title},
            stamp=timezone.now(),
            domain=request.get_host().split(":")[0],
            url_of=lambda milestone: f"{schedule_url}#milestone-{milestone.pk}",
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{plan.slug}-schedule.ics"'
        return response
