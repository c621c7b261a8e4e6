"""Which part a person plays on a CPTS's dossiers (``diagnostics.parts``): one answer, the same as a filter and as
an object check, scoped by area for the departmental bodies (issue 13, points 2 and 3)."""

import datetime as dt

import pytest

from accounts.choices import OrganisationKind, Role, Stage
from accounts.models import Organisation, RegionalSettings
from accounts.selectors import membership_list_for_user
from accounts.tests.factories import DepartementFactory, MembershipFactory, OrganisationFactory, RegionFactory
from diagnostics.parts import (
    Actor,
    acting_organisation,
    cpts_departement_ids,
    cpts_stage,
    cpts_stage_record,
    departement_ids_prime,
    dossier_parts,
    seen_cpts_q,
    sees_cpts,
)

from .factories import CommuneFactory, TerritoryCommuneFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(region, cpts):
    """The CPTS's territory lies in Haute-Garonne (31); Ariège (09) is another département of the region."""
    haute_garonne = DepartementFactory(code="31", name="Haute-Garonne", region=region)
    ariege = DepartementFactory(code="09", name="Ariège", region=region)
    territory = TerritoryFactory(cpts=cpts, instructing_region=region)
    TerritoryCommuneFactory(territory=territory, commune=CommuneFactory(departement=haute_garonne))
    cpts_stage_record(
        cpts,
        stage=Stage.LETTER,
        status="under_review",
        label="lettre d'intention en examen",
        submitted_once=True,
        letter_validated=False,
        claims_territory=True,
    )
    return haute_garonne, ariege


def agent_of(kind, region, departement=None, role=Role.AGENT, name=None):
    org = OrganisationFactory(
        name=name or f"{kind} {departement.code if departement else region.code}",
        kind=kind,
        region=region,
        departement=departement,
    )
    return MembershipFactory(organisation=org, role=role).user


def settings_of(region, *, region_wide=False):
    return RegionalSettings.objects.create(
        region=region, valid_from=dt.date(2020, 1, 1), departmental_bodies_region_wide=region_wide
    )


def fresh(user):
    """The same person in a new request (the per-request caches are on the user object)."""
    return type(user).objects.get(pk=user.pk)


def test_a_departmental_body_acts_for_the_cpts_of_its_departement_only(region, cpts, area):
    haute_garonne, ariege = area
    settings = settings_of(region)
    dd_here = agent_of(OrganisationKind.ARS_DD, region, haute_garonne)
    dd_there = agent_of(OrganisationKind.ARS_DD, region, ariege)
    cpam_here = agent_of(OrganisationKind.CPAM, region, haute_garonne)
    cpam_there = agent_of(OrganisationKind.CPAM, region, ariege)
    cgss = agent_of(OrganisationKind.CGSS, region)

    def parts(user):
        return dossier_parts(fresh(user), cpts, region_id=region.pk, settings=settings)

    assert parts(dd_here) == {Actor.ARS_DD} and parts(dd_there) == set()
    assert parts(cpam_here) == {Actor.HEALTH_INSURANCE} and parts(cpam_there) == set()
    assert parts(cgss) == {Actor.HEALTH_INSURANCE}  # a CGSS covers its whole (overseas) region
    assert acting_organisation(fresh(dd_there), cpts, {Actor.ARS_DD}, region_id=region.pk, settings=settings) is None

    settings.departmental_bodies_region_wide = True
    assert parts(dd_there) == {Actor.ARS_DD} and parts(cpam_there) == {Actor.HEALTH_INSURANCE}
    assert acting_organisation(fresh(dd_there), cpts, {Actor.ARS_DD}, region_id=region.pk, settings=settings)


def test_the_ars_acts_for_the_instructing_region_only(region, other_region, cpts, area):
    settings = settings_of(region)
    decider = agent_of(OrganisationKind.ARS, region, role=Role.DECIDER)
    foreign = agent_of(OrganisationKind.ARS, other_region)
    assert dossier_parts(decider, cpts, region_id=region.pk, settings=settings) == {Actor.ARS, Actor.ARS_DECIDER}
    assert dossier_parts(foreign, cpts, region_id=region.pk, settings=settings) == set()


def test_reviewers_of_the_home_or_of_the_instructing_region_see_the_cpts(region, other_region, cpts, area, colleague):
    """The rule chosen for governance and territory alike: either region; a third region sees nothing."""
    cpts.territory.instructing_region = other_region
    cpts.territory.save()
    instructing = agent_of(OrganisationKind.ARS, other_region)
    third = agent_of(OrganisationKind.ARS, RegionFactory(code="75", name="Nouvelle-Aquitaine"))
    for user, sees in [(colleague, True), (instructing, True), (third, False)]:
        for deposited_only in (True, False):
            assert sees_cpts(fresh(user), cpts, deposited_only=deposited_only) is sees, (user, deposited_only)


def test_the_object_check_and_the_list_filter_agree(region, other_region, cpts, area, colleague):
    haute_garonne, ariege = area
    elsewhere = OrganisationFactory(name="CPTS de l'Ariège", region=region)
    TerritoryCommuneFactory(
        territory=TerritoryFactory(cpts=elsewhere, instructing_region=region),
        commune=CommuneFactory(departement=ariege),
    )
    draft = OrganisationFactory(name="CPTS en brouillon", region=region)  # never deposited, no stage recorded
    people = [
        colleague,
        agent_of(OrganisationKind.ARS, region),
        agent_of(OrganisationKind.ARS_DD, region, haute_garonne),
        agent_of(OrganisationKind.CPAM, region, ariege),
        agent_of(OrganisationKind.ELSM, region, ariege),
        agent_of(OrganisationKind.MSA, region),
        agent_of(OrganisationKind.ARS, other_region),
    ]
    for region_wide in (False, True):
        RegionalSettings.objects.filter(region=region).delete()
        settings_of(region, region_wide=region_wide)
        for user in people:
            for deposited_only in (True, False):
                listed = set(
                    Organisation.objects.filter(seen_cpts_q(fresh(user), deposited_only=deposited_only)).values_list(
                        "pk", flat=True
                    )
                )
                for target in (cpts, elsewhere, draft):
                    assert sees_cpts(fresh(user), target, deposited_only=deposited_only) == (target.pk in listed)
    # With the setting off, the CPAM of Ariège sees the CPTS of Ariège, not that of Haute-Garonne.
    RegionalSettings.objects.filter(region=region).update(departmental_bodies_region_wide=False)
    cpam_ariege = people[3]
    assert not sees_cpts(fresh(cpam_ariege), cpts, deposited_only=False)
    assert sees_cpts(fresh(cpam_ariege), elsewhere, deposited_only=False)
    # Drafts stay private where the page waits for a deposit.
    assert not sees_cpts(fresh(colleague), draft, deposited_only=True)
    assert sees_cpts(fresh(colleague), draft, deposited_only=False)


def test_seeing_a_cpts_costs_one_query_per_request_and_none_for_its_own_people(
    region, cpts, area, owner, colleague, django_assert_num_queries
):
    user = fresh(colleague)
    sees_cpts(user, cpts, deposited_only=True)  # loads the memberships (cached on the user)
    user._parts_cache = {}
    with django_assert_num_queries(1):
        assert sees_cpts(user, cpts, deposited_only=True)
    with django_assert_num_queries(0):
        assert sees_cpts(user, cpts, deposited_only=True)
    own = fresh(owner)
    sees_cpts(own, cpts, deposited_only=True)
    with django_assert_num_queries(0):
        assert not sees_cpts(own, cpts, deposited_only=True)  # the CPTS's people are the callers' business


def test_the_stage_record_is_kept_up_to_date_and_read_without_projects(cpts):
    assert cpts_stage(cpts).letter_submitted_once is False and cpts_stage(cpts).pk == cpts.pk
    cpts_stage_record(
        cpts,
        stage=Stage.LETTER,
        status="validated",
        label="lettre d'intention validée",
        submitted_once=True,
        letter_validated=True,
        claims_territory=True,
        territory_lock_reason="Le territoire est figé.",
    )
    assert cpts_stage(cpts).letter_validated and cpts_stage(cpts).territory_lock_reason == "Le territoire est figé."
    fresh_cpts = Organisation.objects.get(pk=cpts.pk)
    assert cpts_stage(fresh_cpts).label == "lettre d'intention validée"


def test_a_list_primes_the_areas_in_one_query_and_only_for_departmental_bodies(
    region, cpts, area, colleague, django_assert_num_queries
):
    haute_garonne, _ariege = area
    others = [OrganisationFactory(name=f"CPTS {n}", region=region) for n in range(3)]
    for other in others:
        TerritoryCommuneFactory(
            territory=TerritoryFactory(cpts=other), commune=CommuneFactory(departement=haute_garonne)
        )
    reviewer = fresh(colleague)
    membership_list_for_user(reviewer)  # the request's memberships, loaded once
    with django_assert_num_queries(0):
        departement_ids_prime([cpts, *others], for_user=reviewer)  # an URPS reads no area
    dd = fresh(agent_of(OrganisationKind.ARS_DD, region, haute_garonne))
    membership_list_for_user(dd)
    rows = [Organisation.objects.get(pk=c.pk) for c in [cpts, *others]]
    with django_assert_num_queries(1):
        departement_ids_prime(rows, for_user=dd)
    with django_assert_num_queries(0):
        assert all(cpts_departement_ids(row) == {haute_garonne.pk} for row in rows)
