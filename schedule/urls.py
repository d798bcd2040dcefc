from django.urls import path

from planportal.caching import cache_public_page
from schedule import views

app_name = "schedule"

urlpatterns = [
    path(
        "plans/<slug:slug>/schedule/",
        cache_public_page(views.PlanScheduleView.as_view(), plan="slug"),
        name="plan_schedule",
    ),
    path(
        "plans/<slug:slug>/schedule.ics",
        cache_public_page(views.PlanCalendarView.as_view(), plan="slug"),
        name="plan_calendar",
    ),
]
