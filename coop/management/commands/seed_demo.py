"""A demo cooperative for development: statutes and three people, when the database is empty."""

import datetime as dt
from importlib import import_module

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from coop.models import Statutes, User
from coop.roles import Role, sync_role_groups

DEMO_PEOPLE = [
    ("admin@voliere.test", "Ada", "Administratrice", [Role.ADMINISTRATOR, Role.MEMBER], True),
    ("organisatrice@voliere.test", "Olympe", "Organisatrice", [Role.ORGANISER, Role.MEMBER], False),
    ("membre@voliere.test", "Marcel", "Membre", [Role.MEMBER], False),
]
DEMO_PASSWORD = "demo-voliere-2026"  # noqa: S105 - printed on purpose: development data only


class Command(BaseCommand):
    help = "Create a demo cooperative when the database has no user yet; print how to sign in."

    def handle(self, *args: object, **options: object) -> None:
        if User.objects.exists():
            self.stdout.write("The database already has users: no demo data added.")
        else:
            self._seed()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo accounts (password, or a code sent by e-mail):"))
        for email, *_rest in DEMO_PEOPLE:
            self.stdout.write(f"  {email:32} password: {DEMO_PASSWORD}")
        self.stdout.write(
            "  The administrator is asked to set up an authenticator app (TOTP) at first sign-in."
        )
        self.stdout.write("  Mails (login codes, notices) are written to var/mail/.")

    @transaction.atomic
    def _seed(self) -> None:
        sync_role_groups()
        Statutes.objects.create(
            effective_from=dt.date(2024, 1, 1),
            decision_ref="AGE constitutive du 1er janvier 2024",
            name="Volière Patrimoines Vivants",
            legal_form=Statutes.LegalForm.SCIC_SA,
            registered_office="12 rue des Tisserands, 69001 Lyon",
            registration="RCS Lyon 900 000 000",
        )
        users = {}
        for email, first, last, roles, staff in DEMO_PEOPLE:
            user = users[email] = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                is_staff=staff,
            )
            user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        # Each app may add its demo data in `<app>/demo.py` (a `seed(users=...)` function):
        # coop stays unaware of the apps built on it.
        for app_config in apps.get_app_configs():
            try:
                module = import_module(f"{app_config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app_config.name}.demo":
                    raise
                continue
            module.seed(users=users)
        self.stdout.write(self.style.SUCCESS("Demo cooperative created."))
