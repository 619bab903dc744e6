"""The reconciliation API router, mounted here on its own API with the root's error handlers
(the receivables API mounts it in the product)."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import path
from ninja import NinjaAPI
from ninja.security import django_auth
from openpyxl import load_workbook

from salesops.config import api as root
from salesops.core.errors import DomainError
from salesops.receivables.models import Reconciliation
from salesops.receivables.reconciliation_api import router

from .test_reconciliation import AS_OF, HUADONG_MAPPING, huadong_xlsx

api = NinjaAPI(urls_namespace="reconciliation-api-test", auth=[django_auth])
api.exception_handler(DomainError)(root._domain_error)
api.exception_handler(root.ValidationError)(root._validation_error)
api.add_router("", router)
urlpatterns = [path("api/v1/", api.urls)]

pytestmark = pytest.mark.urls(__name__)


def _post(client, ledger, f, mapping):
    with open(f, "rb") as fh:
        return client.post(
            "/api/v1/reconciliations",
            {
                "account_id": ledger.inv1.account.pk,
                "as_of": AS_OF.isoformat(),
                "mapping": json.dumps(mapping) if mapping is not None else "",
                "file": fh,
            },
        )


def test_run_read_and_download_through_the_api(login, ledger, tmp_path):
    client = login("coordinator")
    f = huadong_xlsx(tmp_path / "华东.xlsx", ledger.inv1.number, ledger.inv2.number)
    r = _post(client, ledger, f, HUADONG_MAPPING)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["our_balance"] == {"amount": "8950.0000", "currency": "CNY"}
    assert body["difference"]["amount"] == "350.0000" == body["explained"]["amount"]
    assert body["sections"]["amount_differs"]["count"] == 1
    # again with the saved mapping
    r2 = _post(client, ledger, f, None)
    assert r2.status_code == 201 and Reconciliation.objects.count() == 2
    detail = client.get(f"/api/v1/reconciliations/{body['id']}").json()
    assert {ln["result"] for ln in detail["lines"]} == {"matched", "amount_differs", "only_theirs"}
    assert [x["id"] for x in client.get("/api/v1/reconciliations").json()] == [
        r2.json()["id"],
        body["id"],
    ]
    x = client.get(f"/api/v1/reconciliations/{body['id']}/statement", {"format": "xlsx"})
    assert x.status_code == 200
    load_workbook(io.BytesIO(x.content))


def test_bad_file_is_a_400_naming_the_cell(login, ledger, tmp_path):
    client = login("coordinator")
    f = huadong_xlsx(tmp_path / "b.xlsx", ledger.inv1.number, ledger.inv2.number, bad_date="32/x")
    r = _post(client, ledger, f, HUADONG_MAPPING)
    assert r.status_code == 400
    err = r.json()
    assert err["code"] == "RECONCILIATION_FILE_INVALID"
    assert err["detail"]["errors"][0]["row"] == 4 and err["detail"]["errors"][0]["value"] == "32/x"
    r = _post(client, ledger, f, {"columns": "nope"})
    assert r.status_code == 400 and r.json()["code"] == "RECONCILIATION_MAPPING_INVALID"
    assert not Reconciliation.objects.exists()


@pytest.mark.parametrize("role", ["rep", "partner", "partner2", "manager"])
def test_others_get_404_for_a_reconciliation_and_403_for_a_run(
    role, login, ledger, tmp_path, client
):
    f = huadong_xlsx(tmp_path / "h.xlsx", ledger.inv1.number, ledger.inv2.number)
    staff = login("coordinator")
    rec_id = _post(staff, ledger, f, HUADONG_MAPPING).json()["id"]
    staff.logout()
    other = login(role)
    assert other.get(f"/api/v1/reconciliations/{rec_id}").status_code == 404
    assert other.get(f"/api/v1/reconciliations/{rec_id}/statement").status_code == 404
    assert other.get("/api/v1/reconciliations").json() == []
    assert _post(other, ledger, f, HUADONG_MAPPING).status_code == 403
