"""The partner portal, mounted at /portal/ (namespace "portal")."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("orders/", views.orders, name="orders"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice_detail"),
    path("payments/", views.payments, name="payments"),
    path("statements/", views.statements, name="statements"),
    path("documents/<str:kind>/", views.document_download, name="document"),
    path("queries/", views.query_list, name="queries"),
    path("queries/new/", views.query_new, name="query_new"),
    path("queries/<int:query_id>/", views.query_detail, name="query_detail"),
]
