from django.urls import path

from . import views

app_name = "imports"

# The import wizard: upload -> mapping -> preview -> commit -> report.
urlpatterns = [
    path("", views.wizard, name="wizard"),
    path("<int:batch_id>/mapping/", views.mapping, name="mapping"),
    path("<int:batch_id>/preview/", views.preview, name="preview"),
    path("<int:batch_id>/commit/", views.commit, name="commit"),
    path("<int:batch_id>/", views.report, name="report"),
    path("<int:batch_id>/errors.xlsx", views.errors_download, name="errors"),
    path("templates/<str:kind>.<str:fmt>", views.template_download, name="template"),
]
