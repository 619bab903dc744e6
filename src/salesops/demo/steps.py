"""The steps of the demo company, in order. Each is `step(ctx)`; later issues append theirs
(orders, invoices, payments, bank files, opportunities) to STEPS."""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections import deque
from decimal import Decimal

from salesops.core.models import OrgUnit, Person

from . import pools
from .bulk import RowWriter, reset_sequences
from .context import DemoContext
from .receivables import receivables

DEMO_EMAIL_DOMAIN = "demo.salesops.invalid"
DEMO_PASSWORD = "demo"  # noqa: S105 -- a demo database only
# username -> (role, what the login shows); printed by `salesops demo` and `salesops run`.
DEMO_LOGINS = [
    ("admin", "admin", "administrator (superuser)"),
    ("coordinator", "coordinator", "sales operations coordinator"),
    ("finance", "finance", "finance"),
    ("manager", "manager", "market-unit manager"),
    ("rep", "rep", "sales rep in that market"),
    ("partner", "partner", "channel partner portal"),
    ("partner2", "partner", "second channel partner portal"),
]


# ---------------------------------------------------------------------------------- org tree
def org_tree(ctx: DemoContext) -> None:
    """Company > Area Units > Regional Units > Market Units > Territories."""
    rng = ctx.rng("org")
    s = ctx.size
    ctx.company = OrgUnit.objects.create(name="Acme Automation China 艾克美自动化", code="CO")
    cities = list(pools.CITIES)
    rng.shuffle(cities)
    city_i = 0
    for a in range(s.areas):
        zh, en = pools.AREAS[a % len(pools.AREAS)]
        area = OrgUnit.objects.create(
            name=f"{zh}大区 {en} Area", code=f"AU{a + 1:02d}", parent=ctx.company
        )
        ctx.areas.append(area)
        for r in range(s.regions_per_area):
            city = cities[city_i % len(cities)]
            city_i += 1
            region = OrgUnit.objects.create(
                name=f"{city[2]} {city[3]} Region",
                code=f"{area.code}-R{r + 1:02d}",
                parent=area,
            )
            region.city = city
            ctx.regions.append(region)
            for m in range(s.markets_per_region):
                market = OrgUnit.objects.create(
                    name=f"{city[0]}{m + 1}部 {city[1]} Market {m + 1}",
                    code=f"{region.code}-M{m + 1:02d}",
                    parent=region,
                )
                market.city = city
                ctx.markets.append(market)
                for t in range(s.territories_per_market):
                    terr = OrgUnit.objects.create(
                        name=f"{city[1]} {m + 1}-{t + 1}",
                        code=f"{market.code}-T{t + 1:02d}",
                        parent=market,
                    )
                    terr.city = city
                    ctx.territories.append(terr)
    ctx.demo_market = ctx.markets[0]
    ctx.count("org units", OrgUnit.objects.count())


# ------------------------------------------------------------------------------------ people
def people(ctx: DemoContext) -> None:
    """Reps in territories, managers in market and regional units, a coordinator, finance."""
    rng = ctx.rng("people")
    zh = ctx.faker("zh_CN", "people")
    en = ctx.faker("en_US", "people")
    seq = 0

    def person(kind: str, unit: OrgUnit) -> Person:
        nonlocal seq
        seq += 1
        name = zh.name() if rng.random() < 0.8 else en.name()
        p = Person(
            name=name,
            email=f"emp{seq:05d}@acme-demo.cn",
            kind=kind,
            org_unit=unit,
            external_id=f"EMP{seq:05d}",
        )
        return p

    rows: list[Person] = []
    ctx.coordinator = person(Person.Kind.COORDINATOR, ctx.company)
    ctx.finance = person(Person.Kind.FINANCE, ctx.company)
    rows += [ctx.coordinator, ctx.finance]
    for unit in ctx.areas + ctx.regions + ctx.markets:
        mgr = person(Person.Kind.MANAGER, unit)
        ctx.managers_by_unit[unit.code] = mgr
        rows.append(mgr)
    for terr in ctx.territories:
        reps = [person(Person.Kind.REP, terr) for _ in range(ctx.size.reps_per_territory)]
        ctx.reps_by_territory[terr.pk] = reps
        rows += reps
    Person.objects.bulk_create(rows, batch_size=ctx.batch_size)
    ctx.demo_rep = ctx.reps_by_territory[
        next(t.pk for t in ctx.territories if t.parent_id == ctx.demo_market.pk)
    ][0]
    ctx.count("people", len(rows))


# ---------------------------------------------------------------------- terms, catalog, FX
def payment_terms(ctx: DemoContext) -> None:
    from salesops.masterdata.models import PaymentTerm

    terms = [
        ("NET30", "30 days net", 30),
        ("NET60", "60 days net", 60),
        ("NET90", "90 days net", 90),
        ("EOM30", "30 days end of month", 30),
        ("PREPAID", "Prepayment", 0),
    ]
    ctx.payment_terms = [
        PaymentTerm.objects.get_or_create(code=c, defaults={"name": n, "net_days": d})[0]
        for c, n, d in terms
    ]
    ctx.count("payment terms", len(ctx.payment_terms))


def catalog(ctx: DemoContext) -> None:
    """Product families, products, a CNY standard and a USD export price book with
    effective-dated prices, and standard costs."""
    from salesops.masterdata.models import (
        PriceBook,
        PriceBookEntry,
        Product,
        ProductFamily,
        StandardCost,
    )

    rng = ctx.rng("catalog")
    families = ProductFamily.objects.bulk_create(
        [ProductFamily(code=c, name=n) for c, n in pools.PRODUCT_FAMILIES]
    )
    words = ["Pro", "Lite", "Max", "S", "X", "Plus", "Mini", "HD", "IP67", "EX"]
    products = []
    for i in range(ctx.size.products):
        fam = families[i % len(families)]
        model = f"{fam.code}-{100 + i * 7 % 900}{rng.choice('ABCDEFG')}"
        products.append(
            Product(
                sku=f"{fam.code}{i + 1:05d}",
                name=f"{fam.name.split()[-1]} {model} {rng.choice(words)}",
                family=fam,
                unit="H" if fam.code == "SVC" else ("LIC" if fam.code == "SW" else "EA"),
                active=rng.random() > 0.05,
                salesforce_id=pools.salesforce_id("01t", i + 1) if rng.random() < 0.7 else None,
            )
        )
    products = Product.objects.bulk_create(products, batch_size=ctx.batch_size)
    ctx.products = products
    standard = PriceBook.objects.create(name="Standard CNY", currency="CNY", is_standard=True)
    export = PriceBook.objects.create(name="Export USD", currency="USD")
    dates = [dt.date(2025, 1, 1), dt.date(2026, 1, 1)]
    entries, costs = [], []
    cent = Decimal("0.01")
    for p in products:
        base = Decimal(rng.randrange(80, 250_000)) / 10
        for i, d in enumerate(dates):
            price = (base * (Decimal("1.00") + Decimal(i) * Decimal("0.04"))).quantize(cent)
            entries.append(
                PriceBookEntry(price_book=standard, product=p, unit_price=price, valid_from=d)
            )
            usd = (price / Decimal("7.10") * Decimal("1.08")).quantize(cent)
            entries.append(
                PriceBookEntry(price_book=export, product=p, unit_price=usd, valid_from=d)
            )
            margin = Decimal(rng.randrange(35, 75)) / 100
            costs.append(
                StandardCost(
                    product=p, cost=(price * margin).quantize(cent), currency="CNY", valid_from=d
                )
            )
    PriceBookEntry.objects.bulk_create(entries, batch_size=ctx.batch_size)
    StandardCost.objects.bulk_create(costs, batch_size=ctx.batch_size)
    ctx.count("products", len(products))
    ctx.count("prices", len(entries))
    ctx.count("standard costs", len(costs))


def fx_rates(ctx: DemoContext) -> None:
    """Monthly USD/CNY, EUR/CNY and EUR/USD rates, Jan 2024 to Dec 2026, as a random walk."""
    from salesops.masterdata.models import FxRate

    rng = ctx.rng("fx")
    usd, eur = 7.10, 7.80
    rows = []
    q = Decimal("0.000001")
    for year in (2024, 2025, 2026):
        for month in range(1, 13):
            usd *= 1 + rng.uniform(-0.012, 0.012)
            eur *= 1 + rng.uniform(-0.018, 0.018)
            d = dt.date(year, month, 1)
            u, e = Decimal(repr(usd)).quantize(q), Decimal(repr(eur)).quantize(q)
            rows += [
                FxRate(base="USD", quote="CNY", rate=u, valid_from=d),
                FxRate(base="EUR", quote="CNY", rate=e, valid_from=d),
                FxRate(base="EUR", quote="USD", rate=(e / u).quantize(q), valid_from=d),
            ]
    FxRate.objects.bulk_create(rows)
    ctx.count("fx rates", len(rows))


# ---------------------------------------------------------------------------------- accounts
class _AccountMaker:
    """Makes account field dicts: clean originals, their messy duplicates, group parents."""

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = rng = ctx.rng("accounts")
        zh = ctx.faker("zh_CN", "accounts")
        en = ctx.faker("en_US", "accounts")
        self.zh_prefixes = sorted({zh.company_prefix() for _ in range(600)})
        self.en_words = sorted({en.last_name() for _ in range(600)})
        self.streets = sorted({zh.street_name() for _ in range(400)})
        self.districts = sorted({zh.district() for _ in range(200)})
        self.en_streets = sorted({en.street_name() for _ in range(300)})
        self.terr = ctx.territories
        self.all_reps = ctx.all_reps
        self.terms = ctx.payment_terms
        self.seq = 0
        rng.shuffle(self.zh_prefixes)

    def _address(self, city, foreign):
        rng = self.rng
        if foreign:
            country, _cur, places = foreign
            return {
                "street": f"{rng.randrange(1, 2000)} {rng.choice(self.en_streets)}",
                "city": rng.choice(places),
                "postcode": f"{rng.randrange(10000, 99999)}",
                "region": "",
                "country": country,
            }
        return {
            "street": (
                f"{rng.choice(self.districts)}{rng.choice(self.streets)}{rng.randrange(1, 999)}号"
            ),
            "city": city[0] + "市",
            "postcode": f"{city[4]}{rng.randrange(1000):03d}",
            "region": city[2],
            "country": "CN",
        }

    def original(self, *, group: bool = False, parent=None) -> dict:
        rng = self.rng
        self.seq += 1
        terr = parent["territory"] if parent else self.terr[rng.randrange(len(self.terr))]
        reps = self.ctx.reps_by_territory[terr.pk]
        owner = reps[rng.randrange(len(reps))] if rng.random() > 0.03 else rng.choice(self.all_reps)
        city = terr.city if rng.random() < 0.8 else rng.choice(pools.CITIES)
        r = rng.random()
        foreign = None
        if r < 0.10:
            foreign = rng.choice(pools.FOREIGN)
        currency = foreign[1] if foreign else "CNY"
        industry = rng.choice(pools.INDUSTRIES)
        chinese = not foreign and rng.random() < 0.7
        if parent:
            base = parent["base"]
            name = f"{base}{city[0]}分公司" if parent["chinese"] else f"{base} {city[1]} Branch"
            chinese = parent["chinese"]
        elif chinese:
            base = rng.choice(self.zh_prefixes) + industry[0]
            if group:
                name = f"{base}集团有限公司"
            else:
                suffix = pools.weighted(rng, pools.ZH_SUFFIXES)
                name = f"{city[0]}{base}{suffix}" if rng.random() < 0.6 else f"{base}{suffix}"
        else:
            word = rng.choice(self.en_words)
            base = f"{word} {industry[1]}" if foreign else f"{city[1]} {word} {industry[1]}"
            if group:
                name = f"{base} Group Co., Ltd."
            elif foreign and currency == "EUR":
                name = f"{base} {rng.choice(pools.EU_SUFFIXES)}"
            else:
                name = f"{base} {pools.weighted(rng, pools.EN_SUFFIXES)}"
        t = rng.random()
        type_ = (
            "partner"
            if t < 0.05 and not group
            else ("prospect" if t < 0.20 and not group else "customer")
        )
        if type_ == "prospect":
            status = "requested" if rng.random() < 0.3 else "active"
        else:
            s = rng.random()
            status = (
                "active"
                if s < 0.86
                else ("on_hold" if s < 0.92 else ("closed" if s < 0.97 else "requested"))
            )
        addr = self._address(city, foreign)
        domain = f"{pools.B62[self.seq % 36].lower()}{self.seq}.com" + ("" if foreign else ".cn")
        row = {
            "name": name,
            "base": base,
            "chinese": chinese,
            "type": type_,
            "status": status,
            "territory": terr,
            "owner": owner,
            "parent": parent,
            "currency": currency,
            "payment_term": self.terms[
                pools.weighted(rng, [(0, 55), (1, 20), (2, 8), (3, 12), (4, 5)])
            ],
            "credit_limit": None
            if type_ == "prospect"
            else Decimal(rng.choice([5, 10, 20, 50, 100, 200, 500, 1000])) * 10_000,
            "industry": industry[2],
            "annual_revenue": Decimal(rng.randrange(1, 50_000)) * 10_000,
            "employees": rng.randrange(5, 20_000),
            "website": f"https://www.{domain}",
            "billing_street": addr["street"],
            "billing_city": addr["city"],
            "billing_postcode": addr["postcode"],
            "billing_region": addr["region"],
            "billing_country": addr["country"],
            "mess": [],
        }
        if rng.random() < 0.3:
            ship = self._address(city, foreign)
            row.update({f"shipping_{k}": v for k, v in ship.items()})
        # Tax ids: valid for most Chinese accounts, a few wrong, some missing.
        tr = rng.random()
        if foreign:
            row["tax_id"] = "" if tr < 0.5 else f"{foreign[0]}{rng.randrange(10**9):09d}"
        elif tr < 0.84:
            row["tax_id"] = pools.valid_uscc(rng)
        elif tr < 0.90:
            row["tax_id"] = pools.invalid_uscc(rng)
            row["mess"].append("invalid_tax_id")
        else:
            row["tax_id"] = ""
            row["mess"].append("missing_tax_id")
        pr = rng.random()
        if pr < 0.08:
            row["phone"] = ""
            row["mess"].append("missing_phone")
        elif pr < 0.14:
            row["phone"] = pools.invalid_phone(rng)
            row["mess"].append("invalid_phone")
        elif foreign:
            row["phone"] = (
                f"+1 {rng.randrange(200, 999)} {rng.randrange(200, 999)} {rng.randrange(10**4):04d}"
                if foreign[0] == "US"
                else ""
            )
        else:
            row["phone"] = (
                pools.china_mobile(rng)
                if rng.random() < 0.5
                else pools.china_landline(rng, city[5])
            )
        er = rng.random()
        local = rng.choice(["info", "sales", "finance", "ap", "contact", "service"])
        if er < 0.10:
            row["email"] = ""
            row["mess"].append("missing_email")
        elif er < 0.14:
            row["email"] = pools.invalid_email(rng, local, domain)
            row["mess"].append("invalid_email")
        else:
            row["email"] = f"{local}@{domain}"
        if not foreign and rng.random() < 0.02:  # city typed into the street field
            row["billing_street"], row["billing_city"] = row["billing_city"], row["billing_street"]
            row["mess"].append("swapped_city_street")
        return row

    def duplicate(self, orig: dict) -> dict:
        """A second record of the same company, typed in again by someone else."""
        rng = self.rng
        dup = {k: v for k, v in orig.items() if k not in _ASSIGNED}
        mess = []
        name = orig["name"]
        k = rng.random()
        if k < 0.35:
            new = pools.abbreviate(rng, name)
            if new:
                name, mess = new, ["abbreviation"]
        if not mess or rng.random() < 0.3:
            if k < 0.85:
                name = pools.typo(rng, name)
                mess.append("typo")
            else:
                name = name.upper() if not orig["chinese"] else f" {name} "
                mess.append("case_or_spaces")
        dup["name"] = name
        if rng.random() < 0.3:
            dup["phone"] = ""
            mess.append("missing_phone")
        elif rng.random() < 0.2 and dup["phone"]:
            dup["phone"] = dup["phone"].replace(" ", "").replace("-", "")
            mess.append("phone_format")
        if rng.random() < 0.25:
            dup["tax_id"] = ""
            mess.append("missing_tax_id")
        if rng.random() < 0.2:
            dup["billing_street"], dup["billing_city"] = dup["billing_city"], dup["billing_street"]
            mess.append("swapped_city_street")
        if rng.random() < 0.3:
            dup["status"] = "requested"
        if rng.random() < 0.25:
            dup["owner"] = rng.choice(self.all_reps)
        dup["mess"] = mess
        return dup


_ASSIGNED = {"id", "number", "name_search", "salesforce_id", "sap_number", "hubspot_id"}


def accounts(ctx: DemoContext) -> None:
    """Accounts (customers, channel partners, prospects; groups with subsidiaries; some
    duplicates), their contacts, and the duplicate truth file."""
    from salesops.core.services import number_series_reserve
    from salesops.masterdata.models import Account, Contact, account_name_search_key

    mk = _AccountMaker(ctx)
    rng = mk.rng
    crng = ctx.rng("contacts")
    zh = ctx.faker("zh_CN", "contacts")
    en = ctx.faker("en_US", "contacts")
    zh_last = sorted({zh.last_name() for _ in range(300)})
    zh_first = sorted({zh.first_name() for _ in range(600)})
    en_last = sorted({en.last_name() for _ in range(600)})
    en_first = sorted({en.first_name() for _ in range(400)})
    total = ctx.size.accounts
    n_groups = max(10, total // 100)
    numbers = iter(number_series_reserve(name="account", count=total, prefix="A", width=7))
    truth_path = ctx.data_dir / "demo" / "duplicates_truth.csv"
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    truth_rows: list[tuple] = []
    sf_seq = 0
    sap_seq = 0
    made = 0
    t0 = time.perf_counter()
    last_report = t0

    def to_row(row: dict, *, external: bool) -> dict:
        nonlocal sf_seq, sap_seq
        row["number"] = next(numbers)
        row["name_search"] = account_name_search_key(row["name"])
        row["source"] = "demo"
        row["territory_id"] = row["territory"].pk
        row["owner_id"] = row["owner"].pk
        row["payment_term_id"] = row["payment_term"].pk
        row["parent_id"] = row["parent"]["id"] if row["parent"] is not None else None
        if external:
            if rng.random() < 0.4:
                sf_seq += 1
                row["salesforce_id"] = pools.salesforce_id("001", sf_seq)
            if rng.random() < 0.3:
                sap_seq += 1
                row["sap_number"] = str(100_000 + sap_seq)
        return row

    def contacts_for(rows: list[dict]) -> list[dict]:
        lo, hi = ctx.size.contacts_per_account
        out = []
        for row in rows:
            for _ in range(crng.randint(lo, hi)):
                if row["chinese"]:
                    first, last = crng.choice(zh_first), crng.choice(zh_last)
                    local = f"c{crng.randrange(10**6)}"
                else:
                    first, last = crng.choice(en_first), crng.choice(en_last)
                    local = f"{first[0]}.{last}".lower()
                email = f"{local}@{row['website'][12:]}" if crng.random() < 0.85 else ""
                out.append(
                    {
                        "account_id": row["id"],
                        "first_name": first,
                        "last_name": last,
                        "title": crng.choice(pools.TITLES),
                        "email": email,
                        "phone": pools.china_mobile(crng) if crng.random() < 0.7 else "",
                    }
                )
        return out

    accounts_out = RowWriter(Account)
    contacts_out = RowWriter(Contact)

    def flush(rows: list[dict]) -> None:
        nonlocal made, last_report
        for r in rows:
            to_row(r, external=r.get("dup_of") is None)
        accounts_out.write(rows)
        for row in rows:
            if row.get("dup_of") is not None:
                orig = row["dup_of"]
                truth_rows.append(
                    (
                        row["number"],
                        orig["number"],
                        row["name"],
                        orig["name"],
                        "|".join(row["mess"]),
                    )
                )
            if row["type"] == "partner":
                ctx.partner_account_ids.append(row["id"])
        contacts = contacts_for(rows)
        contacts_out.write(contacts)
        ctx.count("contacts", len(contacts))
        made += len(rows)
        now = time.perf_counter()
        if now - last_report > 5 or made == total:
            last_report = now
            ctx.say(f"  accounts {made:,}/{total:,}  ({made / (now - t0):,.0f} rows/s)")

    groups = [mk.original(group=True) for _ in range(n_groups)]
    flush(groups)
    recent: deque = deque(maxlen=5_000)
    batch: list[dict] = []
    remaining = total - n_groups
    for _ in range(remaining):
        x = rng.random()
        if x < 0.03 and recent:
            orig = recent[rng.randrange(len(recent))]
            row = mk.duplicate(orig)
            row["dup_of"] = orig
        elif x < 0.13:
            row = mk.original(parent=groups[rng.randrange(n_groups)])
        else:
            row = mk.original()
            recent.append(row)
        batch.append(row)
        if len(batch) >= ctx.batch_size:
            flush(batch)
            batch = []
    if batch:
        flush(batch)
    with truth_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["duplicate_number", "original_number", "duplicate_name", "original_name", "mess"]
        )
        w.writerows(truth_rows)
    reset_sequences(Account, Contact)
    ctx.count("accounts", made)
    ctx.say(f"  {len(truth_rows):,} duplicate accounts, truth in {truth_path}")


# ------------------------------------------------------------------------------------ logins
def logins(ctx: DemoContext) -> None:
    """The demo logins, all with password `demo`. Only the demo command creates them."""
    from salesops.core.services import user_create
    from salesops.masterdata.models import Account, Contact

    def make(username, role, person=None, superuser=False):
        return user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            person=person,
            superuser=superuser,
        )

    mgr = ctx.managers_by_unit[ctx.demo_market.code]
    make("admin", "admin", superuser=True)
    make("coordinator", "coordinator", person=ctx.coordinator)
    make("finance", "finance", person=ctx.finance)
    make("manager", "manager", person=mgr)
    make("rep", "rep", person=ctx.demo_rep)
    # Two channel partners the rep owns, so the rep and the manager see both, each partner
    # only its own.
    rep_partners = list(
        Account.objects.filter(owner=ctx.demo_rep, type="partner", status="active", parent=None)
        .order_by("number")
        .values_list("pk", flat=True)[:2]
    )
    if len(rep_partners) < 2:
        extra = (
            Account.objects.filter(owner=ctx.demo_rep, type="customer", parent=None)
            .exclude(pk__in=rep_partners)
            .order_by("number")
            .values_list("pk", flat=True)[: 2 - len(rep_partners)]
        )
        extra = list(extra)
        Account.objects.filter(pk__in=extra).update(type="partner", status="active")
        rep_partners += extra
    zh = ctx.faker("zh_CN", "logins")
    for username, account_id in zip(("partner", "partner2"), rep_partners, strict=True):
        user = make(username, "partner")
        Contact.objects.create(
            account_id=account_id,
            first_name=zh.first_name(),
            last_name=zh.last_name(),
            title="渠道经理 Channel Manager",
            email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            user=user,
        )
    ctx.count("demo logins", len(DEMO_LOGINS))


def queries(ctx: DemoContext) -> None:
    """A few open questions in the inbox: two from the demo partners, one from the rep."""
    from salesops.core.models import User
    from salesops.receivables.models import CreditNote, Invoice, Payment
    from salesops.receivables.queries import query_note, query_raise

    names = [login[0] for login in DEMO_LOGINS]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if not {"partner", "partner2", "rep", "coordinator"} <= users.keys():
        return
    made = 0
    partner = users["partner"]
    account_id = partner.portal_contact.account_id
    payment = Payment.objects.filter(account_id=account_id, status="booked").order_by("-value_date")
    invoice = Invoice.objects.filter(account_id=account_id, status="open").order_by("due_date")
    if payment.exists() and invoice.exists():
        query_raise(
            by=partner,
            category="payment",
            subject=f"Our payment {payment[0].reference or payment[0].number} is not on the "
            f"statement against {invoice[0].number}",
            body="We transferred the full amount last week. Please check and confirm.",
            invoice=invoice[0],
            payment=payment[0],
        )
        made += 1
    note = CreditNote.objects.filter(account_id=account_id, status="pending").first()
    if note is not None:
        q = query_raise(
            by=partner,
            category="credit_note",
            subject=f"When will credit note {note.number} be approved?",
            body="The goods came back three weeks ago; we need the credit for our month end.",
            credit_note=note,
        )
        query_note(
            query=q,
            body="Waiting for finance: above the approval threshold.",
            by=users["coordinator"],
        )
        made += 1
    query_raise(
        by=users["partner2"],
        category="statement",
        subject="Please send last month's statement again",
        body="Our accountant cannot find the statement e-mail for last month.",
    )
    made += 1
    rep_invoice = (
        Invoice.objects.filter(account__owner=users["rep"].person, status="open")
        .order_by("due_date")
        .first()
    )
    if rep_invoice is not None:
        query_raise(
            by=users["rep"],
            category="other",
            subject=f"Customer disputes the price on {rep_invoice.number}",
            body="The buyer says the promotion price was agreed. Can we check before dunning?",
            account=rep_invoice.account,
            invoice=rep_invoice,
        )
        made += 1
    ctx.count("queries", made)


def schedules(ctx: DemoContext) -> None:
    """The weekly order board and payment sheet and the monthly statement for every partner."""
    from salesops.reports.demo import demo_schedules

    ctx.count("schedules", len(demo_schedules()))


def finish(ctx: DemoContext) -> None:
    """Record the run in the audit log (one event, not one per row)."""
    from salesops.core.audit import audit_record

    audit_record(
        actor=None,
        action="demo.generate",
        object_type="demo",
        object_id=ctx.size.name,
        after={"size": ctx.size.name, "seed": ctx.seed, "counts": ctx.counts},
    )


STEPS = [
    org_tree, people, payment_terms, catalog, fx_rates, accounts, logins, receivables, queries,
    schedules, finish,
]  # fmt: skip
