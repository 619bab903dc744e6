from django.urls import path

from . import views

app_name = "receivables_documents"

urlpatterns = [
    path(
        "documents/<str:kind>/<int:account_id>/",
        views.document,
        name="document",
    ),
    path("aging/", views.aging_page, name="aging"),
]
