"""`salesops user create|list|set-password`: logins from the command line.

salesops user create USERNAME --role ROLE [--password-stdin | --password P] [--email E]
                     [--person-id ID] [--partner-account NUMBER]
salesops user list [--role ROLE]
salesops user set-password USERNAME [--password-stdin | --password P]

Without --password or --password-stdin the password is asked for (twice) on the terminal.
A partner login needs --partner-account: the account's portal contact with the same
e-mail (or a new contact named after the login) is linked to it, so the partner sees that
account and nothing else.
"""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from salesops.core import services
from salesops.core.errors import DomainError
from salesops.core.models import Person, Role, User


class Command(BaseCommand):
    help = "Create and list logins, and set their passwords."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        create = sub.add_parser("create", help="create a login")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=Role.values)
        self._password_args(create)
        create.add_argument("--email", default="")
        create.add_argument("--person-id", type=int, help="link the login to this person")
        create.add_argument(
            "--partner-account",
            metavar="NUMBER",
            help="partner logins: the channel partner account (by account number)",
        )
        create.add_argument("--superuser", action="store_true", help="admin with all rights")

        lst = sub.add_parser("list", help="list logins")
        lst.add_argument("--role", choices=Role.values)

        setpw = sub.add_parser("set-password", help="set a login's password")
        setpw.add_argument("username")
        self._password_args(setpw)

    @staticmethod
    def _password_args(parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--password", help="the password (visible in the shell history)")
        group.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

    def handle(self, *args, **opts):
        try:
            getattr(self, "_" + opts["action"].replace("-", "_"))(opts)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None

    # ------------------------------------------------------------ helpers

    def _read_password(self, opts, user: User | None = None) -> str:
        if opts.get("password") is not None:
            password = opts["password"]
        elif opts.get("password_stdin"):
            password = sys.stdin.readline().rstrip("\r\n")
        elif sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("The passwords do not match.")
        else:
            raise CommandError("Give --password or --password-stdin (no terminal to ask on).")
        if not password:
            raise CommandError("The password is empty.")
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise CommandError("The password is too weak: " + " ".join(exc.messages)) from None
        return password

    # ------------------------------------------------------------ actions

    def _create(self, opts):
        from salesops.masterdata.models import Account, Contact
        from salesops.masterdata.services import contact_create, portal_login_grant

        username, role = opts["username"].strip(), opts["role"]
        if not username:
            raise CommandError("The user name is empty.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"USER_EXISTS: user '{username}' already exists.")
        person = None
        if opts["person_id"] is not None:
            person = Person.objects.filter(pk=opts["person_id"]).first()
            if person is None:
                raise CommandError(f"There is no person with id {opts['person_id']}.")
            if person.user_id is not None:
                raise CommandError(f"{person.name} already has a login.")
        account = None
        if opts["partner_account"]:
            if role != Role.PARTNER:
                raise CommandError("--partner-account is for --role partner.")
            account = Account.objects.filter(number=opts["partner_account"].upper()).first()
            if account is None:
                raise CommandError(f"There is no account {opts['partner_account']}.")
        elif role == Role.PARTNER:
            raise CommandError("A partner login needs --partner-account NUMBER.")
        password = self._read_password(opts, User(username=username, email=opts["email"]))

        with transaction.atomic():
            user = services.user_create(
                username=username,
                password=password,
                role=role,
                email=opts["email"],
                person=person,
                superuser=opts["superuser"],
            )
            if account is not None:
                contact = None
                if opts["email"]:
                    contact = Contact.objects.filter(
                        account=account, email__iexact=opts["email"], user__isnull=True
                    ).first()
                if contact is None:
                    contact = contact_create(
                        account=account, by=None, last_name=username, email=opts["email"]
                    )
                portal_login_grant(contact=contact, user=user, by=None)
        where = f" for {account.number} {account.name}" if account else ""
        self.stdout.write(f"Created {role} login '{username}'{where}.")

    def _list(self, opts):
        users = User.objects.select_related("person", "portal_contact__account").order_by(
            "username"
        )
        if opts["role"]:
            users = users.filter(role=opts["role"])
        rows = [("USERNAME", "ROLE", "ACTIVE", "LINKED TO")]
        for u in users.iterator(chunk_size=500):
            person = getattr(u, "person", None)
            contact = getattr(u, "portal_contact", None)
            linked = (
                f"person {person.pk} {person.name}"
                if person
                else (f"account {contact.account.number}" if contact else "")
            )
            rows.append((u.username, u.role, "yes" if u.is_active else "no", linked))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for r in rows:
            self.stdout.write(
                "  ".join(v.ljust(w) for v, w in zip(r[:3], widths, strict=True)) + "  " + r[3]
            )

    def _set_password(self, opts):
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"There is no user '{opts['username']}'.")
        services.user_password_set(user=user, password=self._read_password(opts, user), by=None)
        self.stdout.write(f"Password set for '{user.username}'.")
