from django.urls import path

from planportal.caching import cache_public_page
from projects import section_views, sheet_views
from projects import site_views as views
from projects.feeds import ChangesFeed
from projects.search import SearchForm

app_name = "policies"

# The query parameters each kind of page reads; the page cache ignores any other.
PAGED = ["page"]

urlpatterns = [
    path("", cache_public_page(views.HomeView.as_view()), name="home"),
    path(
        "plans/<slug:slug>/",
        cache_public_page(views.PlanDetailView.as_view(), plan="slug"),
        name="plan",
    ),
    path(
        "plans/<slug:slug>/nodes/<int:pk>/",
        cache_public_page(views.NodeDetailView.as_view(), params=PAGED, plan="slug"),
        name="node",
    ),
    path(
        "plans/<slug:slug>/print/",
        cache_public_page(section_views.SectionPrintView.as_view(), plan="slug"),
        name="plan_print",
    ),
    path(
        "plans/<slug:slug>/nodes/<int:pk>/print/",
        cache_public_page(section_views.SectionPrintView.as_view(), plan="slug"),
        name="node_print",
    ),
    path("plans/<slug:slug>/pdf/", section_views.SectionPdfView.as_view(), name="plan_pdf"),
    path(
        "plans/<slug:slug>/nodes/<int:pk>/pdf/",
        section_views.SectionPdfView.as_view(),
        name="node_pdf",
    ),
    path(
        "plans/<slug:slug>/nodes/<int:pk>/sheet/",
        cache_public_page(sheet_views.MeasureSheetView.as_view(), plan="slug"),
        name="node_sheet",
    ),
    path(
        "plans/<slug:slug>/nodes/<int:pk>/sheet.pdf",
        sheet_views.MeasureSheetPdfView.as_view(),
        name="node_sheet_pdf",
    ),
    path(
        "plans/<slug:slug>/nodes/<int:pk>/sheets.pdf",
        sheet_views.SheetBookPdfView.as_view(),
        name="node_sheets_pdf",
    ),
    path(
        "plans/<slug:slug>/nodes/<int:pk>/sheets.xlsx",
        sheet_views.SheetBookExcelView.as_view(),
        name="node_sheets_xlsx",
    ),
    path(
        "plans/<slug:slug>/bureaus/<int:bureau>/sheets.pdf",
        sheet_views.SheetBookPdfView.as_view(),
        name="bureau_sheets_pdf",
    ),
    path(
        "plans/<slug:slug>/bureaus/<int:bureau>/sheets.xlsx",
        sheet_views.SheetBookExcelView.as_view(),
        name="bureau_sheets_xlsx",
    ),
    path(
        "plans/<slug:slug>/export/<str:fmt>/",
        cache_public_page(section_views.SectionExportView.as_view(), plan="slug"),
        name="plan_export",
    ),
    path(
        "plans/<slug:slug>/nodes/<int:pk>/export/<str:fmt>/",
        cache_public_page(section_views.SectionExportView.as_view(), plan="slug"),
        name="node_export",
    ),
    path(
        "plans/<slug:slug>/strategies/<int:pk>/",
        cache_public_page(views.StrategyDetailView.as_view(), params=PAGED, plan="slug"),
        name="strategy",
    ),
    path(
        "plans/<slug:slug>/sdgs/",
        cache_public_page(views.SDGMatrixView.as_view(), plan="slug"),
        name="sdg_matrix",
    ),
    path("wards/", cache_public_page(views.WardListView.as_view()), name="wards"),
    path(
        "wards/<slug:municipality>/<slug:ward>/",
        cache_public_page(
            views.WardDetailView.as_view(), params=["page", "each_page", "related_page"]
        ),
        name="ward",
    ),
    path("sdgs/", cache_public_page(views.SDGListView.as_view()), name="sdgs"),
    path(
        "sdgs/<int:number>/",
        cache_public_page(views.SDGDetailView.as_view(), params=PAGED),
        name="sdg_goal",
    ),
    path(
        "search/",
        cache_public_page(views.SearchView.as_view(), params=SearchForm.base_fields),
        name="search",
    ),
    path("glossary/", cache_public_page(views.GlossaryView.as_view()), name="glossary"),
    path("changes/", cache_public_page(views.ChangesView.as_view()), name="changes"),
    path("changes/feed/", cache_public_page(ChangesFeed()), name="changes_feed"),
    path("open-data/", cache_public_page(views.OpenDataView.as_view()), name="open_data"),
]
