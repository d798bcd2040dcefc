from django.urls import path

from planportal.caching import cache_public_page
from projects import views

app_name = "projects"

urlpatterns = [
    path(
        "plans/<slug:slug>/projects/<int:pk>/",
        cache_public_page(views.ProjectDetailView.as_view()),
        name="project",
    ),
]
