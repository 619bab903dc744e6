from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.generic import RedirectView

from salesops.core import views as core_views

from .api import api


def healthz(request):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", core_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("salesops.core.urls")),
    path("accounts/", include("salesops.masterdata.urls")),
    path("imports/", include("salesops.core.imports.urls")),
    path("receivables/queries/", include("salesops.receivables.queries_urls")),
    path("portal/", include("salesops.portal.urls")),
    path("receivables/reconciliations/", include("salesops.receivables.reconciliation_urls")),
    path("receivables/", include("salesops.receivables.urls")),
    path("receivables/", include("salesops.receivables.documents.urls")),
    path("reports/", include("salesops.reports.urls")),
]
