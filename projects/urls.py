from django.urls import path

from planportal.caching import cache_public_page
from projects import sheet_views, views

app_name = "projects"

urlpatterns = [
    path(
        "plans/<slug:slug>/projects/<int:pk>/",
        cache_public_page(views.ProjectDetailView.as_view(), plan="slug"),
        name="project",
    ),
    path(
        "plans/<slug:slug>/projects/<int:pk>/sheet/",
        cache_public_page(sheet_views.ProjectSheetView.as_view(), plan="slug"),
        name="project_sheet",
    ),
    path(
        "plans/<slug:slug>/projects/<int:pk>/sheet.pdf",
        sheet_views.ProjectSheetPdfView.as_view(),
        name="project_sheet_pdf",
    ),
]
