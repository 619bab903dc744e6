"""Partner reconciliation pages, mounted at /receivables/reconciliations/ in config/urls.py."""

from django.urls import path

from . import reconciliation_views as views

app_name = "reconciliations"

urlpatterns = [
    path("", views.reconciliation_index, name="index"),
    path("new/<str:token>/mapping/", views.reconciliation_mapping, name="mapping"),
    path("<int:reconciliation_id>/", views.reconciliation_detail, name="detail"),
    path(
        "<int:reconciliation_id>/statement.<str:fmt>",
        views.reconciliation_statement,
        name="statement",
    ),
]
