"""URL configuration: the staff admin, the health check, and the public site in Japanese (/) and English (/en/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from planportal.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", include("projects.plan_urls")),
    path("", include("projects.urls")),
    path("", include("schedule.urls")),
    path("", include("consultations.urls")),
    prefix_default_language=False,
)
