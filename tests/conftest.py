"""Shared fixtures: a small company with one person per role and two of each kind of
record that scoping must keep apart (two reps, two partners)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal

# Each test session gets its own data dir (secret key, job queue, uploads).
os.environ.setdefault("SALESOPS_DATA_DIR", tempfile.mkdtemp(prefix="salesops-test-"))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import pytest
from hypothesis import settings as hypothesis_settings

# No timed assertions: Hypothesis's per-example deadline fails on a busy machine, not on a bug.
hypothesis_settings.register_profile("salesops", deadline=None)
hypothesis_settings.load_profile("salesops")

PASSWORD = "test-pass-123"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests hash passwords with a fast hasher (production keeps Django's PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Company:
    company: object
    area: object
    region: object
    market: object
    t1: object
    t2: object
    rep1: object
    rep2: object
    manager_person: object
    users: dict
    acct_rep1: object
    acct_rep2: object
    partner1: object
    partner2: object
    outside: object  # an account in a territory outside the manager's market


@pytest.fixture
def company(db) -> Company:
    from salesops.core.models import OrgUnit, Person
    from salesops.core.services import user_create
    from salesops.masterdata.models import Account, Contact, PaymentTerm

    top = OrgUnit.objects.create(name="Acme China", code="CO")
    area = OrgUnit.objects.create(name="East Area", code="AU-E", parent=top)
    region = OrgUnit.objects.create(name="Shanghai Region", code="RU-SH", parent=area)
    market = OrgUnit.objects.create(name="Pudong Market", code="MU-PD", parent=region)
    t1 = OrgUnit.objects.create(name="Pudong North", code="T-PDN", parent=market)
    t2 = OrgUnit.objects.create(name="Pudong South", code="T-PDS", parent=market)
    other_market = OrgUnit.objects.create(name="Puxi Market", code="MU-PX", parent=region)
    t3 = OrgUnit.objects.create(name="Puxi West", code="T-PXW", parent=other_market)

    rep1 = Person.objects.create(name="Li Wei", kind="rep", org_unit=t1)
    rep2 = Person.objects.create(name="Wang Fang", kind="rep", org_unit=t2)
    rep3 = Person.objects.create(name="Zhao Lei", kind="rep", org_unit=t3)
    mgr = Person.objects.create(name="Chen Jing", kind="manager", org_unit=market)
    coord = Person.objects.create(name="Sun Mei", kind="coordinator", org_unit=top)

    net30 = PaymentTerm.objects.create(code="NET30", name="30 days net", net_days=30)

    def acct(number, name, type_, terr, owner):
        return Account.objects.create(
            number=number,
            name=name,
            type=type_,
            territory=terr,
            owner=owner,
            currency="CNY",
            payment_term=net30,
            credit_limit=Decimal("100000.00"),
        )

    a1 = acct("A0000001", "上海东方贸易有限公司", "customer", t1, rep1)
    a2 = acct("A0000002", "Pudong Hardware Co.", "customer", t2, rep2)
    p1 = acct("A0000003", "Huadong Distribution Ltd", "partner", t1, rep1)
    p2 = acct("A0000004", "Jiangnan Channel Partners", "partner", t2, rep2)
    out = acct("A0000005", "Puxi Retail Group", "customer", t3, rep3)

    users = {
        "admin": user_create(username="admin", password=PASSWORD, role="admin", superuser=True),
        "coordinator": user_create(
            username="coordinator", password=PASSWORD, role="coordinator", person=coord
        ),
        "finance": user_create(username="finance", password=PASSWORD, role="finance"),
        "manager": user_create(username="manager", password=PASSWORD, role="manager", person=mgr),
        "rep": user_create(username="rep", password=PASSWORD, role="rep", person=rep1),
        "rep2": user_create(username="rep2", password=PASSWORD, role="rep", person=rep2),
        "partner": user_create(username="partner", password=PASSWORD, role="partner"),
        "partner2": user_create(username="partner2", password=PASSWORD, role="partner"),
    }
    Contact.objects.create(
        account=p1,
        first_name="Zhou",
        last_name="Min",
        email="zhou.min@huadong.example",
        user=users["partner"],
    )
    Contact.objects.create(
        account=p2,
        first_name="Xu",
        last_name="Tao",
        email="xu.tao@jiangnan.example",
        user=users["partner2"],
    )
    Contact.objects.create(account=a1, first_name="Liu", last_name="Yang", email="liu@dfmy.cn")
    return Company(top, area, region, market, t1, t2, rep1, rep2, mgr, users, a1, a2, p1, p2, out)


@pytest.fixture
def login(client):
    """login('rep') -> a Django test client logged in as that demo role."""

    def _login(username: str):
        assert client.login(username=username, password=PASSWORD)
        return client

    return _login


@dataclass
class SmtpInbox:
    """A real SMTP server on loopback (aiosmtpd); `messages` are the parsed e-mails received.
    Set `refuse` to a number N to answer the next N messages with a temporary failure (451)."""

    host: str
    port: int
    messages: list
    refuse: int = 0


@pytest.fixture
def smtp_server(settings):
    """Point Django's SMTP backend at a real SMTP server on 127.0.0.1 for this test."""
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    inbox = SmtpInbox("127.0.0.1", 0, [])

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            if inbox.refuse > 0:
                inbox.refuse -= 1
                return "451 4.3.0 Try again later"
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            inbox.messages.append(msg)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        inbox.port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=inbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = inbox.host, inbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield inbox
    finally:
        controller.stop()
