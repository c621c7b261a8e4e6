import factory

from accounts.choices import OrganisationKind, Role
from accounts.models import Departement, Membership, Organisation, Region, User


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "76"
    name = "Occitanie"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "31"
    name = "Haute-Garonne"
    region = factory.SubFactory(RegionFactory)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"CPTS numéro {n}")
    kind = OrganisationKind.CPTS
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Prénom"
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    password = factory.PostGenerationMethodCall("set_password", "mot-de-passe-test")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.COORDINATOR
