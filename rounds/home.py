"""The rounds panel of the admin's home page: a bureau editor's open tasks, planning's rounds."""

from __future__ import annotations

from django.db.models import Count, Q

from planportal.permissions import editable
from rounds import services
from rounds.models import Round, Task
from rounds.workflow import DONE, EDITABLE, Status


def _with_counts(rounds, tasks):
    return rounds.annotate(
        total=Count("tasks", filter=Q(tasks__in=tasks)),
        to_do=Count("tasks", filter=Q(tasks__in=tasks, tasks__status__in=EDITABLE)),
        returned=Count("tasks", filter=Q(tasks__in=tasks, tasks__status=Status.RETURNED)),
        submitted=Count("tasks", filter=Q(tasks__in=tasks, tasks__status=Status.SUBMITTED)),
        done=Count("tasks", filter=Q(tasks__in=tasks, tasks__status__in=DONE)),
    ).select_related("plan", "node")


def home_panel(request):
    user = request.user
    if services.may_review(user):
        rounds = _with_counts(Round.objects.all(), Task.objects.all())[:20]
        return "admin/rounds/home_planning.html", {
            "rounds": rounds,
            "may_open": user.has_perm(services.OPEN_PERMISSION),
        }
    if services.may_change_tasks(user):
        mine = editable(user, Task.objects.filter(round__closed_at__isnull=True))
        rounds = [r for r in _with_counts(Round.objects.open(), mine) if r.total]
        return ("admin/rounds/home_tasks.html", {"rounds": rounds}) if rounds else None
    return None
