"""Public pages of public comment: the periods, the form (input → confirm → receipt), the results.

None of these pages is served from the page cache: what they show depends on
the clock (a period opens and closes) and the form pages carry a CSRF token.
Citizens see published periods of published plans; signed-in staff also see
drafts (``VisibleContentMixin``).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from consultations.forms import CommentForm
from consultations.models import CommentPeriod
from consultations.results import period_result
from consultations.services.submission import PeriodClosedError, comment_submit
from consultations.throttle import allow_submission
from planportal.params import parse_id
from planportal.views import VisibleContentMixin, last_updated

RECEIPT_SESSION_KEY = "consultations-receipts"


class PeriodMixin(VisibleContentMixin):
    """The period named in the URL, if this visitor may see it, with its plan."""

    def get_period(self, pk) -> CommentPeriod:
        periods = self.visible(CommentPeriod.objects.select_related("plan__municipality"))
        return get_object_or_404(periods, pk=pk)

    def period_context(self, period, *, page_label=None):
        """The period, its plan and state, and breadcrumbs: plan › period (› this page)."""
        trail = [{"label": period.title}]
        if page_label:
            trail = [{"label": period.title, "url": period.get_absolute_url()}]
            trail.append({"label": page_label})
        return {
            "period": period,
            "plan": period.plan,
            "state": period.state(),
            "trail": trail,
            "updated_at": period.updated_at,
        }


class PeriodListView(VisibleContentMixin, TemplateView):
    """Every comment period, open ones first."""

    template_name = "consultations/period_list.html"

    def get_context_data(self, **kwargs):
        periods = list(self.visible(CommentPeriod.objects.select_related("plan")))
        now = timezone.now()
        by_state = {state: [] for state in CommentPeriod.State.values}
        for period in periods:
            by_state[period.state(now)].append(period)
        return super().get_context_data(
            open_periods=by_state[CommentPeriod.State.OPEN],
            upcoming_periods=by_state[CommentPeriod.State.UPCOMING],
            closed_periods=by_state[CommentPeriod.State.CLOSED],
            trail=[{"label": _("パブリックコメント")}],
            updated_at=last_updated(periods),
            **kwargs,
        )


class PeriodDetailView(PeriodMixin, TemplateView):
    """A period: its dates, explanation, sections, and the way to the form or the results."""

    template_name = "consultations/period_detail.html"

    def get_context_data(self, pk, **kwargs):
        period = self.get_period(pk)
        sections = self.visible(period.sections.select_related("level_label"))
        return super().get_context_data(
            sections=sections.in_printed_order(), **self.period_context(period), **kwargs
        )


@method_decorator(never_cache, name="dispatch")
class CommentFormView(PeriodMixin, View):
    """Input → confirmation → submission, each step validating everything again.

    GET shows the input form (``?section=<node>`` preselects the section
    that covers that node). POST ``step=confirm`` shows the confirmation
    screen, ``step=edit`` returns to the input with the values kept, and
    ``step=submit`` stores the comment and redirects to its receipt.
    """

    def get(self, request, pk):
        period = self.get_period(pk)
        if not period.is_open():
            return self.closed(period)
        form = self.form(period, initial={"section": self.initial_section(period)})
        return self.render_step(period, form, "input")

    def post(self, request, pk):
        period = self.get_period(pk)
        if not period.is_open():
            return self.closed(period)
        step = request.POST.get("step")
        if step == "edit":
            form = self.form(period, initial=request.POST.dict())
            return self.render_step(period, form, "input")
        form = self.form(period, data=request.POST)
        if not form.is_valid():
            return self.render_step(period, form, "input")
        if step != "submit":
            return self.render_step(period, form, "confirm")
        if not allow_submission(request):
            # Nothing is stored; the confirmation stays, to send again later.
            return self.render_step(period, form, "confirm", rate_limited=True, status=429)
        try:
            comment = comment_submit(period=period, **form.submission())
        except PeriodClosedError:
            return self.closed(period)
        receipts = request.session.get(RECEIPT_SESSION_KEY, {})
        receipts[str(period.pk)] = comment.receipt_number
        request.session[RECEIPT_SESSION_KEY] = receipts
        return redirect("consultations:done", pk=period.pk)

    def form(self, period, **kwargs) -> CommentForm:
        sections = self.visible(period.sections.select_related("level_label"))
        wards = period.plan.municipality.wards.values_list("name", flat=True)
        return CommentForm(sections=sections.in_printed_order(), wards=wards, **kwargs)

    def initial_section(self, period) -> str | None:
        """The deepest listed section that contains the node named by ``?section=``."""
        node_pk = parse_id(self.request.GET.get("section"))
        if node_pk is None:
            return None
        node = period.plan.nodes.filter(pk=node_pk).first()
        if node is None:
            return None
        covering = period.sections.around(node, include_self=True).order_by("-level")
        return str(covering[0].pk) if covering else None

    def render_step(self, period, form, step, **context):
        template = (
            "consultations/comment_form.html"
            if step == "input"
            else "consultations/comment_confirm.html"
        )
        label = _("意見の入力") if step == "input" else _("入力内容の確認")
        return self.render_page(template, period, form=form, step=step, page_label=label, **context)

    def closed(self, period):
        status = 200 if self.request.method == "GET" else 403
        return self.render_page(
            "consultations/closed.html", period, status=status, page_label=_("意見の入力")
        )

    def render_page(self, template, period, *, status=200, page_label, **context):
        context.update(self.period_context(period, page_label=page_label))
        context["is_preview"] = self.is_preview
        return render(self.request, template, context, status=status)


@method_decorator(never_cache, name="dispatch")
class CommentDoneView(PeriodMixin, TemplateView):
    """The receipt number of the comment this browser just sent."""

    template_name = "consultations/comment_done.html"

    def get(self, request, pk):
        period = self.get_period(pk)
        receipt = request.session.get(RECEIPT_SESSION_KEY, {}).get(str(period.pk))
        if receipt is None:
            return redirect(period.get_absolute_url())
        context = self.get_context_data(
            receipt_number=receipt, **self.period_context(period, page_label=_("送信完了"))
        )
        return self.render_to_response(context)


class ResultsView(PeriodMixin, TemplateView):
    """意見の概要と市の考え方: published once the period has closed and staff release it
    (signed-in staff preview it before)."""

    template_name = "consultations/results.html"

    def get_context_data(self, pk, **kwargs):
        period = self.get_period(pk)
        published = period.results_published and period.has_closed()
        return super().get_context_data(
            results_published=published,
            result=period_result(period, visible=self.visible)
            if published or self.is_preview
            else None,
            **self.period_context(period, page_label=_("意見の概要と市の考え方")),
            **kwargs,
        )
