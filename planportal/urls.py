"""URL configuration: the staff admin, the health check, and the public site in Japanese (/) and English (/en/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from planportal.health import healthz


class FaviconView(RedirectView):
    """``/favicon.ico``, which browsers fetch whatever a page links: the static icon."""

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.ico")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("healthz", healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", include("projects.plan_urls")),
    path("", include("projects.urls")),
    path("", include("schedule.urls")),
    path("", include("consultations.urls")),
    prefix_default_language=False,
)
