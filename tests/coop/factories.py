import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from coop.models import Statutes, User
from coop.roles import sync_role_groups

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        self.save()
        EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if extracted:
            sync_role_groups()
            self.groups.set(Group.objects.filter(name__in=extracted))


class StatutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statutes

    effective_from = factory.Sequence(lambda n: dt.date(2020, 1, 1) + dt.timedelta(days=n))
    decision_ref = "AGE du 1er janvier 2020"
    name = "Coopérative d'essai"
    registered_office = "1 place de la Mairie, 38000 Grenoble"
