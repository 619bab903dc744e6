"""Import presets for master data: accounts, contacts, products and people (`users`).

Each KIND has a Target (how records are found, resolved and written) and presets that map
the column names of a source system to the target's fields:

  salesforce  Data Export / Data Loader API names (Id, Name, BillingCity, OwnerId ...).
              Ids are normalised to the 18-character case-safe form, so a 15- and an
              18-character Id of the same record are the same key. Rows with IsDeleted=true
              are skipped. The lower-case apex-recipes sample (no Id column) is the preset
              `salesforce-sample`: its key is the account name (case- and width-folded).
  hubspot     company / contact exports (Record ID, Company name, ...); key Record ID.
  sap         customer master KNA1 columns (KUNNR, NAME1, ORT01, PSTLZ, LAND1 ...); key KUNNR
              without its leading zeros (0000012345 and 12345 are the same customer).
  generic     our own template (download it from the wizard); key: account number / SKU /
              external id.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.imports import parsers as P
from salesops.core.imports.framework import (
    BATCH_SIZE,
    Field,
    ImportContext,
    Preset,
    Row,
    Target,
    registry,
    rows_insert,
    values_present,
)
from salesops.core.models import OrgUnit, Person
from salesops.core.services import number_series_reserve

from .models import Account, Contact, Product, ProductFamily, account_name_search_key

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%Y/%m/%d", "%Y%m%d")
ACCOUNT_SERIES = {"name": "account", "prefix": "A", "width": 7}

ACCOUNT_TYPES = {
    "customer": Account.Type.CUSTOMER,
    "customer - direct": Account.Type.CUSTOMER,
    "customer - channel": Account.Type.CUSTOMER,
    "direct": Account.Type.CUSTOMER,
    "partner": Account.Type.PARTNER,
    "channel partner": Account.Type.PARTNER,
    "channel partner / reseller": Account.Type.PARTNER,
    "reseller": Account.Type.PARTNER,
    "integrator": Account.Type.PARTNER,
    "installation partner": Account.Type.PARTNER,
    "technology partner": Account.Type.PARTNER,
    "distributor": Account.Type.PARTNER,
    "prospect": Account.Type.PROSPECT,
    "lead": Account.Type.PROSPECT,
    "other": Account.Type.CUSTOMER,
    "investor": Account.Type.CUSTOMER,
    "press": Account.Type.CUSTOMER,
    "analyst": Account.Type.CUSTOMER,
    "competitor": Account.Type.CUSTOMER,
    "客户": Account.Type.CUSTOMER,
    "渠道伙伴": Account.Type.PARTNER,
    "经销商": Account.Type.PARTNER,
    "潜在客户": Account.Type.PROSPECT,
}
ACCOUNT_STATUS = {
    **{s.value: s.value for s in Account.Status},
    **{str(s.label).casefold(): s.value for s in Account.Status},
}


def _ref(name: str, label: str) -> Field:
    return Field(name, P.text(64), label)


class AccountTarget(Target):
    kind = "accounts"
    label = gettext_lazy("Accounts")
    model = Account
    fields = {
        f.name: f
        for f in (
            Field("number", P.text(20)),
            Field("name", P.text(255), required=True),
            Field("type", P.choice(ACCOUNT_TYPES)),
            Field("status", P.choice(ACCOUNT_STATUS)),
            Field("salesforce_id", P.salesforce_id(), text=False),
            Field("sap_number", P.sap_number(), text=False),
            Field("hubspot_id", P.text(30), text=False),
            _ref("parent", gettext_lazy("parent account key")),
            _ref("owner", gettext_lazy("owner (person external id)")),
            _ref("territory", gettext_lazy("territory (org unit code)")),
            Field("currency", P.currency()),
            Field("credit_limit", P.decimal(20, 4), text=False),
            Field("tax_id", P.text(40)),
            Field("phone", P.text(40)),
            Field("email", P.text(254)),
            Field("website", P.text(255)),
            Field("industry", P.text(100)),
            Field("annual_revenue", P.decimal(20, 4), text=False),
            Field("employees", P.integer(0), text=False),
            Field("billing_street", P.text(255)),
            Field("billing_city", P.text(100)),
            Field("billing_postcode", P.text(20)),
            Field("billing_region", P.text(100)),
            Field("billing_country", P.country()),
            Field("shipping_street", P.text(255)),
            Field("shipping_city", P.text(100)),
            Field("shipping_postcode", P.text(20)),
            Field("shipping_region", P.text(100)),
            Field("shipping_country", P.country()),
            Field("deleted", P.boolean(), gettext_lazy("deleted in the source"), text=False),
            Field("name2", P.text(255), gettext_lazy("name 2")),
        )
    }
    not_model = ("parent", "deleted", "name2")
    hidden = ("name_search",)

    def key_lookup(self, key_field):
        if key_field == "name":
            return "name_search", account_name_search_key
        return key_field, lambda v: v

    def begin(self, ctx: ImportContext) -> None:
        ctx.cache.update(owners={}, territories={}, parents=[], numbers=[])

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        owners, terrs = ctx.cache["owners"], ctx.cache["territories"]
        want_o = {r.values["owner"] for r in rows if r.values.get("owner")} - owners.keys()
        if want_o:
            for pid, ext in Person.objects.filter(external_id__in=want_o).values_list(
                "pk", "external_id"
            ):
                owners[ext] = pid
            for ext in want_o - owners.keys():
                owners[ext] = None
        want_t = {r.values["territory"] for r in rows if r.values.get("territory")}
        want_t -= terrs.keys()
        if want_t:
            for uid, code in OrgUnit.objects.filter(code__in=want_t).values_list("pk", "code"):
                terrs[code] = uid
            for code in want_t - terrs.keys():
                terrs[code] = None
        key_field = ctx.preset.key
        _db, norm = self.key_lookup(key_field)
        parent_keys = {}
        for r in rows:
            o, t = r.values.get("owner"), r.values.get("territory")
            if o and owners.get(o) is None:
                r.error(
                    "owner",
                    _("no person with this external id"),
                    _("the external id of a person in SalesOps"),
                    file=ctx.file,
                )
            if t and terrs.get(t) is None:
                r.error(
                    "territory",
                    _("no org unit with this code"),
                    _("the code of an org unit, e.g. T-PDN"),
                    file=ctx.file,
                )
            parent = r.values.get("parent")
            if parent:
                try:
                    pk = norm(self._parent_parse(key_field, parent))
                except P.ParseError as exc:
                    r.error("parent", exc.message, exc.valid, file=ctx.file)
                    continue
                if pk == r.key:
                    r.error("parent", _("an account cannot be its own parent"), "", file=ctx.file)
                    continue
                parent_keys[r.number] = pk
        missing = {pk for pk in parent_keys.values() if pk not in ctx.file_keys}
        if missing:
            db_field, _n = self.key_lookup(key_field)
            found = set(
                Account.objects.filter(**{f"{db_field}__in": missing}).values_list(
                    db_field, flat=True
                )
            )
            for r in rows:
                pk = parent_keys.get(r.number)
                if pk in missing and pk not in found:
                    r.error(
                        "parent",
                        _("parent account not found in the file or in SalesOps"),
                        _("the key of an account in this file or already imported"),
                        file=ctx.file,
                    )
        for r in rows:
            if not r.errors and r.number in parent_keys:
                ctx.cache["parents"].append((r.key, parent_keys[r.number]))

    @staticmethod
    def _parent_parse(key_field, value):
        if key_field == "salesforce_id":
            return P.salesforce_id18(value)
        if key_field == "sap_number":
            return P.sap_number()(value)
        return str(value).strip()

    def values_for_model(self, row: Row, ctx: ImportContext) -> dict:
        v = row.values.copy()
        for k in self.not_model:
            v.pop(k, None)
        if row.values.get("name2"):
            v["name"] = f"{v['name']} {row.values['name2']}".strip()[:255]
        if "name" in v:
            v["name_search"] = account_name_search_key(v["name"])
        if "owner" in v:
            v["owner_id"] = ctx.cache["owners"].get(v.pop("owner")) if v["owner"] else None
        if "territory" in v:
            t = v.pop("territory")
            v["territory_id"] = ctx.cache["territories"].get(t) if t else None
        if "type" in v and not v["type"]:
            v["type"] = Account.Type.CUSTOMER
        if "status" in v and not v["status"]:
            v["status"] = Account.Status.ACTIVE
        if "currency" in v and not v["currency"]:
            v["currency"] = "CNY"
        if "number" in v and not v["number"]:
            del v["number"]
        return v

    def create(self, rows: list[dict], ctx: ImportContext) -> None:
        need = [v for v in rows if not v.get("number")]
        if need:
            numbers = self._numbers(len(need))
            for v, n in zip(need, numbers, strict=True):
                v["number"] = n
        source = f"import:{ctx.preset.name}"
        for v in rows:
            v["source"] = source
            if "name_search" not in v:
                v["name_search"] = account_name_search_key(v.get("name", ""))
        rows_insert(Account, rows, now=ctx.now)

    @staticmethod
    def _numbers(count: int) -> list[str]:
        """Numbers from the account series, reserved per batch; taken ones are skipped."""
        out: list[str] = []
        while len(out) < count:
            block = number_series_reserve(count=count - len(out), **ACCOUNT_SERIES)
            taken = values_present(Account, "number", block)
            out.extend(n for n in block if n not in taken)
        return out

    def update(self, rows, fields, ctx):
        objs = [Account(**r, updated_at=ctx.now) for r in rows]
        Account.objects.bulk_update(objs, [*fields, "updated_at"], batch_size=BATCH_SIZE)

    def finish(self, ctx: ImportContext) -> None:
        pairs = ctx.cache.get("parents") or []
        if not pairs or not ctx.commit:
            return
        db_field, _n = self.key_lookup(ctx.preset.key)
        for i in range(0, len(pairs), BATCH_SIZE):
            chunk = pairs[i : i + BATCH_SIZE]
            keys = {c for c, _p in chunk} | {p for _c, p in chunk}
            ids = dict(
                Account.objects.filter(**{f"{db_field}__in": keys}).values_list(db_field, "pk")
            )
            children = {
                getattr(a, db_field): a
                for a in Account.objects.filter(**{f"{db_field}__in": [c for c, _p in chunk]})
            }
            changed = []
            for c, p in chunk:
                child, pid = children.get(c), ids.get(p)
                if child is not None and pid is not None and child.parent_id != pid:
                    child.parent_id = pid
                    changed.append(child)
            Account.objects.bulk_update(changed, ["parent"], batch_size=BATCH_SIZE)


def _not_deleted(values: dict) -> bool:
    return bool(values.get("deleted"))


SF_COMMON_IGNORE = (
    "MasterRecordId",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
    "LastActivityDate",
    "LastViewedDate",
    "LastReferencedDate",
    "Description",
    "Fax",
    "Jigsaw",
    "JigsawCompanyId",
    "CleanStatus",
    "AccountSource",
    "DunsNumber",
    "Tradestyle",
    "NaicsCode",
    "NaicsDesc",
    "YearStarted",
    "SicDesc",
    "DandbCompanyId",
    "OperatingHoursId",
    "Ownership",
    "Rating",
    "Site",
    "TickerSymbol",
    "Sic",
    "PhotoUrl",
    "RecordTypeId",
    "BillingLatitude",
    "BillingLongitude",
    "BillingGeocodeAccuracy",
    "ShippingLatitude",
    "ShippingLongitude",
    "ShippingGeocodeAccuracy",
    "AccountNumber",
    "CurrencyIsoCode_old",
)

ACCOUNT_PRESETS = [
    Preset(
        kind="accounts",
        name="salesforce",
        label="Salesforce Account export",
        key="salesforce_id",
        required=("name",),
        columns={
            "Id": "salesforce_id",
            "Name": "name",
            "Type": "type",
            "ParentId": "parent",
            "OwnerId": "owner",
            "Phone": "phone",
            "Website": "website",
            "Industry": "industry",
            "AnnualRevenue": "annual_revenue",
            "NumberOfEmployees": "employees",
            "BillingStreet": "billing_street",
            "BillingCity": "billing_city",
            "BillingPostalCode": "billing_postcode",
            "BillingState": "billing_region",
            "BillingCountry": "billing_country",
            "ShippingStreet": "shipping_street",
            "ShippingCity": "shipping_city",
            "ShippingPostalCode": "shipping_postcode",
            "ShippingState": "shipping_region",
            "ShippingCountry": "shipping_country",
            "IsDeleted": "deleted",
            "CurrencyIsoCode": "currency",
        },
        ignore=SF_COMMON_IGNORE,
        ignore_pattern=r".*__c$",
        parsers={"owner": P.salesforce_id(), "parent": P.salesforce_id()},
        skip=_not_deleted,
        note="Key: Id (15 or 18 characters). IsDeleted rows are skipped.",
    ),
    Preset(
        kind="accounts",
        name="salesforce-sample",
        label="Salesforce sample data (apex-recipes, lower-case headers, no Ids)",
        key="name",
        required=("name",),
        columns={
            "name": "name",
            "phone": "phone",
            "website": "website",
            "type": "type",
            "industry": "industry",
            "NumberOfEmployees": "employees",
            "annualrevenue": "annual_revenue",
            "billingstreet": "billing_street",
            "billingcity": "billing_city",
            "billingstate": "billing_region",
            "billingpostalcode": "billing_postcode",
            "billingcountry": "billing_country",
            "shippingstreet": "shipping_street",
            "shippingcity": "shipping_city",
            "shippingstate": "shipping_region",
            "shippingpostalcode": "shipping_postcode",
            "shippingcountry": "shipping_country",
        },
        ignore=("fax", "description"),
        note="The file has no Ids; the key is the account name (case- and width-folded).",
    ),
    Preset(
        kind="accounts",
        name="hubspot",
        label="HubSpot company export",
        key="hubspot_id",
        required=("name",),
        columns={
            "Record ID": "hubspot_id",
            "Company name": "name",
            "Company Domain Name": "website",
            "Phone Number": "phone",
            "Street Address": "billing_street",
            "City": "billing_city",
            "State/Region": "billing_region",
            "Postal Code": "billing_postcode",
            "Country/Region": "billing_country",
            "Industry": "industry",
            "Annual Revenue": "annual_revenue",
            "Number of Employees": "employees",
            "Type": "type",
        },
        ignore=(
            "Create Date",
            "Last Activity Date",
            "Lifecycle Stage",
            "Lead Status",
            "Associated Contact",
            "Associated Deal",
            "Time Zone",
            "Description",
            "Last Modified Date",
            "Number of Associated Contacts",
            "Number of Associated Deals",
            "Website URL",
            "Company owner",
        ),
        note="Key: Record ID.",
    ),
    Preset(
        kind="accounts",
        name="sap",
        label="SAP customer master (KNA1)",
        key="sap_number",
        required=("name",),
        columns={
            "KUNNR": "sap_number",
            "NAME1": "name",
            "NAME2": "name2",
            "ORT01": "billing_city",
            "PSTLZ": "billing_postcode",
            "STRAS": "billing_street",
            "LAND1": "billing_country",
            "REGIO": "billing_region",
            "STCD1": "tax_id",
            "TELF1": "phone",
            "BRSCH": "industry",
            "WAERS": "currency",
        },
        ignore=(
            "SPRAS",
            "MANDT",
            "ERDAT",
            "ERNAM",
            "KTOKD",
            "SORTL",
            "ADRNR",
            "STCD2",
            "STCEG",
            "TELFX",
            "LOEVM",
            "SPERR",
            "ORT02",
            "PFACH",
            "ANRED",
            "KONZS",
            "STCD3",
        ),
        note="Key: KUNNR without leading zeros.",
    ),
    Preset(
        kind="accounts",
        name="generic",
        label="SalesOps template",
        key="number",
        required=("name",),
        columns={
            "account_number": "number",
            "name": "name",
            "type": "type",
            "status": "status",
            "parent_account_number": "parent",
            "owner_external_id": "owner",
            "territory_code": "territory",
            "currency": "currency",
            "credit_limit": "credit_limit",
            "tax_id": "tax_id",
            "phone": "phone",
            "email": "email",
            "website": "website",
            "industry": "industry",
            "billing_street": "billing_street",
            "billing_city": "billing_city",
            "billing_postcode": "billing_postcode",
            "billing_region": "billing_region",
            "billing_country": "billing_country",
            "salesforce_id": "salesforce_id",
            "sap_number": "sap_number",
        },
        note="Key: account_number.",
    ),
]


class ContactTarget(Target):
    kind = "contacts"
    label = gettext_lazy("Contacts")
    model = Contact
    fields = {
        f.name: f
        for f in (
            Field("salesforce_id", P.salesforce_id(), text=False),
            Field("hubspot_id", P.text(30), text=False),
            Field("email", P.text(254)),
            Field("account", P.text(64), gettext_lazy("account key"), required=True),
            Field("first_name", P.text(100)),
            Field("last_name", P.text(100)),
            Field("title", P.text(100)),
            Field("phone", P.text(40)),
            Field("deleted", P.boolean(), gettext_lazy("deleted in the source"), text=False),
        )
    }
    account_key = {"salesforce": "salesforce_id", "hubspot": "hubspot_id", "generic": "number"}

    def begin(self, ctx):
        ctx.cache["accounts"] = {}

    def resolve(self, rows, ctx):
        field = self.account_key.get(ctx.preset.name, "number")
        cache = ctx.cache["accounts"]
        for r in rows:
            raw = r.values["account"]
            try:
                r.values["account"] = (
                    P.salesforce_id18(raw) if field == "salesforce_id" else raw.strip()
                )
            except P.ParseError as exc:
                r.error("account", exc.message, exc.valid, file=ctx.file)
        want = {r.values["account"] for r in rows if not r.errors} - cache.keys()
        if want:
            for key, pk in Account.objects.filter(**{f"{field}__in": want}).values_list(
                field, "pk"
            ):
                cache[key] = pk
        for r in rows:
            if not r.errors and cache.get(r.values["account"]) is None:
                r.error(
                    "account",
                    _("no account with this key"),
                    _("the %(field)s of an account already in SalesOps") % {"field": field},
                    file=ctx.file,
                )

    def values_for_model(self, row, ctx):
        v = {k: val for k, val in row.values.items() if k != "deleted"}
        v["account_id"] = ctx.cache["accounts"][v.pop("account")]
        return v


CONTACT_PRESETS = [
    Preset(
        kind="contacts",
        name="salesforce",
        label="Salesforce Contact export",
        key="salesforce_id",
        required=("account", "last_name"),
        columns={
            "Id": "salesforce_id",
            "AccountId": "account",
            "FirstName": "first_name",
            "LastName": "last_name",
            "Title": "title",
            "Email": "email",
            "Phone": "phone",
            "IsDeleted": "deleted",
        },
        ignore=(
            *SF_COMMON_IGNORE,
            "MobilePhone",
            "Salutation",
            "Name",
            "OwnerId",
            "MailingStreet",
            "MailingCity",
            "MailingState",
            "MailingPostalCode",
            "MailingCountry",
            "Department",
            "Birthdate",
            "LeadSource",
            "ReportsToId",
        ),
        ignore_pattern=r".*__c$",
        skip=_not_deleted,
        parsers={"account": P.salesforce_id()},
    ),
    Preset(
        kind="contacts",
        name="hubspot",
        label="HubSpot contact export",
        key="hubspot_id",
        required=("account",),
        columns={
            "Record ID": "hubspot_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Phone Number": "phone",
            "Job Title": "title",
            "Associated Company ID": "account",
        },
        ignore=(
            "Create Date",
            "Lifecycle Stage",
            "Contact owner",
            "Last Activity Date",
            "Lead Status",
            "Marketing contact status",
            "Associated Company",
        ),
    ),
    Preset(
        kind="contacts",
        name="generic",
        label="SalesOps template",
        key="email",
        required=("account",),
        columns={
            "account_number": "account",
            "email": "email",
            "first_name": "first_name",
            "last_name": "last_name",
            "title": "title",
            "phone": "phone",
        },
    ),
]


class ProductTarget(Target):
    kind = "products"
    label = gettext_lazy("Products")
    model = Product
    fields = {
        f.name: f
        for f in (
            Field("sku", P.text(50), required=True),
            Field("name", P.text(255), required=True),
            Field("family", P.text(200), gettext_lazy("family code or name")),
            Field("unit", P.text(20)),
            Field("active", P.boolean(), text=False),
            Field("salesforce_id", P.salesforce_id(), text=False),
            Field("description", P.text(10000)),
            Field("deleted", P.boolean(), gettext_lazy("deleted in the source"), text=False),
        )
    }

    def begin(self, ctx):
        fams = {}
        for pk, code, name in ProductFamily.objects.values_list("pk", "code", "name"):
            fams[code.casefold()] = pk
            fams.setdefault(name.casefold(), pk)
        ctx.cache["families"] = fams

    def resolve(self, rows, ctx):
        fams = ctx.cache["families"]
        for r in rows:
            f = r.values.get("family")
            if f and f.casefold() not in fams:
                r.error(
                    "family",
                    _("no product family with this code or name"),
                    ", ".join(sorted(fams))[:500],
                    file=ctx.file,
                )

    def values_for_model(self, row, ctx):
        v = {k: val for k, val in row.values.items() if k != "deleted"}
        if "family" in v:
            f = v.pop("family")
            v["family_id"] = ctx.cache["families"].get(f.casefold()) if f else None
        if "active" in v and v["active"] is None:
            v["active"] = True
        if "unit" in v and not v["unit"]:
            v["unit"] = "EA"
        return v


PRODUCT_PRESETS = [
    Preset(
        kind="products",
        name="salesforce",
        label="Salesforce Product2 export",
        key="sku",
        required=("name",),
        columns={
            "Id": "salesforce_id",
            "Name": "name",
            "ProductCode": "sku",
            "Family": "family",
            "IsActive": "active",
            "Description": "description",
            "QuantityUnitOfMeasure": "unit",
            "IsDeleted": "deleted",
        },
        ignore=(
            *SF_COMMON_IGNORE,
            "DisplayUrl",
            "ExternalId",
            "ExternalDataSourceId",
            "StockKeepingUnit",
            "IsArchived",
            "ProductClass",
            "Type",
        ),
        ignore_pattern=r".*__c$",
        skip=_not_deleted,
    ),
    Preset(
        kind="products",
        name="generic",
        label="SalesOps template",
        key="sku",
        required=("name",),
        columns={
            "sku": "sku",
            "name": "name",
            "family": "family",
            "unit": "unit",
            "active": "active",
            "description": "description",
        },
    ),
]

PERSON_KINDS = {
    **{k.value: k.value for k in Person.Kind},
    "sales rep": "rep",
    "sales manager": "manager",
    "standard": "rep",
}


class PersonTarget(Target):
    """People of the sales organisation (not logins). Without an org unit column they are
    placed in the top org unit."""

    kind = "users"
    label = gettext_lazy("People (reps, managers)")
    model = Person
    fields = {
        f.name: f
        for f in (
            Field("external_id", P.text(64), required=True),
            Field("name", P.text(200)),
            Field("first_name", P.text(100), gettext_lazy("first name")),
            Field("last_name", P.text(100), gettext_lazy("last name")),
            Field("email", P.text(254)),
            Field("kind", P.choice(PERSON_KINDS)),
            Field("org_unit", P.text(50), gettext_lazy("org unit code")),
            Field("active", P.boolean(), text=False),
        )
    }

    def begin(self, ctx):
        units = dict(OrgUnit.objects.values_list("code", "pk"))
        top = OrgUnit.objects.filter(parent=None).order_by("pk").values_list("pk", flat=True)
        ctx.cache.update(units=units, top=top.first())

    def resolve(self, rows, ctx):
        for r in rows:
            code = r.values.get("org_unit")
            if code and code not in ctx.cache["units"]:
                r.error(
                    "org_unit",
                    _("no org unit with this code"),
                    _("the code of an org unit, e.g. T-PDN"),
                    file=ctx.file,
                )
            elif not code and ctx.cache["top"] is None:
                r.error(
                    "org_unit",
                    _("no org unit to place this person in"),
                    _("create the org tree first"),
                    file=ctx.file,
                )
            name = r.values.get("name") or " ".join(
                x for x in (r.values.get("first_name"), r.values.get("last_name")) if x
            )
            if not name:
                r.error("name", _("a value is required"), _("the person's name"), file=ctx.file)

    def values_for_model(self, row, ctx):
        v = dict(row.values)
        first, last = v.pop("first_name", ""), v.pop("last_name", "")
        v["name"] = (v.get("name") or f"{first or ''} {last or ''}".strip())[:200]
        v["external_id"] = row.key
        code = v.pop("org_unit", None)
        if code:
            v["org_unit_id"] = ctx.cache["units"][code]
        if "kind" in v and not v["kind"]:
            v["kind"] = Person.Kind.REP
        if "active" in v and v["active"] is None:
            v["active"] = True
        return v

    def create(self, rows, ctx):
        for v in rows:
            v.setdefault("org_unit_id", ctx.cache["top"])
        super().create(rows, ctx)


PERSON_PRESETS = [
    Preset(
        kind="users",
        name="salesforce",
        label="Salesforce User export",
        key="external_id",
        required=(),
        columns={
            "Id": "external_id",
            "Name": "name",
            "FirstName": "first_name",
            "LastName": "last_name",
            "Email": "email",
            "IsActive": "active",
        },
        ignore=(
            *SF_COMMON_IGNORE,
            "Username",
            "Alias",
            "CommunityNickname",
            "TimeZoneSidKey",
            "LocaleSidKey",
            "EmailEncodingKey",
            "LanguageLocaleKey",
            "ProfileId",
            "UserRoleId",
            "UserType",
            "Title",
            "Department",
            "Division",
            "ManagerId",
            "Phone",
            "MobilePhone",
            "CompanyName",
            "FederationIdentifier",
            "LastLoginDate",
            "Street",
            "City",
            "State",
            "PostalCode",
            "Country",
        ),
        ignore_pattern=r".*__c$",
        parsers={"external_id": P.salesforce_id()},
        note="Salesforce Users become people (for account owners), not logins.",
    ),
    Preset(
        kind="users",
        name="generic",
        label="SalesOps template",
        key="external_id",
        required=("name",),
        columns={
            "external_id": "external_id",
            "name": "name",
            "email": "email",
            "kind": "kind",
            "org_unit_code": "org_unit",
            "active": "active",
        },
    ),
]

registry.register(AccountTarget(), ACCOUNT_PRESETS)
registry.register(ContactTarget(), CONTACT_PRESETS)
registry.register(ProductTarget(), PRODUCT_PRESETS)
registry.register(PersonTarget(), PERSON_PRESETS)

TEMPLATE_EXAMPLES = {
    "accounts": {
        "account_number": "C1000001",
        "name": "Shanghai Example Trading Co., Ltd.",
        "type": "customer",
        "status": "active",
        "parent_account_number": "",
        "owner_external_id": "EMP-0001",
        "territory_code": "T-PDN",
        "currency": "CNY",
        "credit_limit": "100000.00",
        "tax_id": "91310000MA1FL0000X",
        "phone": "+86 21 5555 0000",
        "email": "ap@example.cn",
        "website": "example.cn",
        "industry": "Retail",
        "billing_street": "1 Century Avenue",
        "billing_city": "Shanghai",
        "billing_postcode": "200120",
        "billing_region": "Shanghai",
        "billing_country": "CN",
        "salesforce_id": "",
        "sap_number": "",
    },
    "contacts": {
        "account_number": "C1000001",
        "email": "li.wei@example.cn",
        "first_name": "Wei",
        "last_name": "Li",
        "title": "Buyer",
        "phone": "+86 21 5555 0001",
    },
    "products": {
        "sku": "SKU-0001",
        "name": "Widget",
        "family": "HW",
        "unit": "EA",
        "active": "true",
        "description": "",
    },
    "users": {
        "external_id": "EMP-0001",
        "name": "Li Wei",
        "email": "li.wei@example.cn",
        "kind": "rep",
        "org_unit_code": "T-PDN",
        "active": "true",
    },
}


def template_rows(kind: str) -> tuple[list[str], list[str]]:
    preset = registry.preset(kind, "generic")
    headers = list(preset.columns)
    example = TEMPLATE_EXAMPLES[kind]
    return headers, [example.get(h, "") for h in headers]


def template_csv(kind: str) -> bytes:
    headers, example = template_rows(kind)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers)
    w.writerow(example)
    return buf.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str) -> bytes:
    import openpyxl

    headers, example = template_rows(kind)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = kind
    ws.append(headers)
    ws.append(example)
    for cell in ws[2]:
        cell.number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
