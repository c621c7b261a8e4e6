import datetime as dt

import factory
from django.core.management import call_command

from accounts.tests.factories import OrganisationFactory
from diagnostics.models import Commune
from governance.choices import MemberNature
from governance.models import Body, Mandate, Member, Partner, Profession, StructureType


def load_professions():
    call_command("loaddata", "professions", verbosity=0)


def rpps_for(n: int) -> str:
    """A valid RPPS (Luhn key appended) built from a sequence number."""
    from stdnum import luhn

    body = f"1{n:09d}"
    return body + luhn.calc_check_digit(body)


def siret_for(n: int) -> str:
    from stdnum import luhn

    body = f"{n:013d}"
    return body + luhn.calc_check_digit(body)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("insee_code",)

    insee_code = factory.Sequence(lambda n: f"31{n:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    search_name = factory.LazyAttribute(lambda o: o.name.lower())


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    cpts = factory.SubFactory(OrganisationFactory)
    nature = MemberNature.PROFESSIONAL
    last_name = factory.Sequence(lambda n: f"Nom{n:05d}")
    first_name = "Prénom"
    profession = factory.LazyFunction(lambda: Profession.objects.get(code="medecin_generaliste"))
    rpps = factory.Sequence(rpps_for)
    joined_on = dt.date(2024, 1, 15)
    email = factory.Sequence(lambda n: f"membre{n}@exemple.fr")
    phone = "06 12 34 56 78"


class StructureMemberFactory(MemberFactory):
    nature = MemberNature.STRUCTURE
    first_name = ""
    profession = None
    rpps = ""
    structure_type = factory.LazyFunction(lambda: StructureType.objects.get(code="msp"))
    siret = factory.Sequence(lambda n: siret_for(n + 1000))
    email = ""
    phone = ""


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    cpts = factory.SubFactory(OrganisationFactory)
    kind = "bureau"


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    body = factory.SubFactory(BodyFactory)
    member = factory.SubFactory(MemberFactory, cpts=factory.SelfAttribute("..body.cpts"))
    role = "president"
    started_on = dt.date(2024, 2, 1)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    cpts = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Centre hospitalier {n}")
    representative = "Mme Directrice"
