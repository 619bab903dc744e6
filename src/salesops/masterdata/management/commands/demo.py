"""`salesops demo --size small|medium|large --seed N [--if-empty]`: load the demo company."""

from django.core.management.base import BaseCommand, CommandError

from salesops.demo import SIZES, demo_login_lines, generate


class Command(BaseCommand):
    help = "Generate the deterministic demo company (accounts, people, products, demo logins)."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=list(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has accounts.",
        )

    def handle(self, *args, size, seed, if_empty, **options):
        from salesops.masterdata.models import Account

        if Account.objects.exists():
            if not if_empty:
                raise CommandError(
                    "The database already has accounts; the demo company needs an empty one "
                    "(or pass --if-empty to keep what is there)."
                )
            self.stdout.write("Accounts already exist: the demo company was not loaded again.")
        else:
            generate(size=size, seed=seed, out=self.stdout.write)
        lines = demo_login_lines()
        if lines:
            self.stdout.write("Demo logins:")
            for line in lines:
                self.stdout.write("  " + line)
