from django.urls import path

from consultations import views
from planportal.caching import cache_public_page

app_name = "consultations"

urlpatterns = [
    path("public-comments/", cache_public_page(views.PeriodListView.as_view()), name="periods"),
    path(
        "public-comments/<int:pk>/",
        cache_public_page(views.PeriodDetailView.as_view()),
        name="period",
    ),
    path("public-comments/<int:pk>/form/", views.CommentFormView.as_view(), name="comment"),
    path("public-comments/<int:pk>/form/done/", views.CommentDoneView.as_view(), name="done"),
    path(
        "public-comments/<int:pk>/results/",
        cache_public_page(views.ResultsView.as_view()),
        name="results",
    ),
]
