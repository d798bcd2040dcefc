"""URL configuration: the staff admin, and the public site in Japanese (/) and English (/en/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", include("policies.urls")),
    path("", include("projects.urls")),
    path("", include("consultations.urls")),
    prefix_default_language=False,
)
