import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings

from accounts.choices import LetterCircuit, OrganisationKind, Role, Stage
from accounts.demo import DEMO_CPTS, LOGINS, DemoStage
from accounts.models import Departement, Membership, Organisation, Region, RegionalSettings, User
from projects.workflows.engine import rows_of

pytestmark = pytest.mark.django_db

MODELS = [Region, Departement, Organisation, RegionalSettings, User, Membership]


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def _all_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


@pytest.fixture
def demo_communes(db):
    """The communes the demo territories and indicators need (the whole file costs seconds: not needed here)."""
    from tests.demo_world import demo_communes_create

    return demo_communes_create()


@override_settings(DEBUG=True)
def test_seed_demo_twice_gives_the_same_counts(capsys):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert first["Region"] == 18 and first["Departement"] == 101
    out = capsys.readouterr().out
    assert "coordination@demo.portail-cpts.fr" in out and "mot de passe" in out


@override_settings(DEBUG=True)
def test_with_communes_every_row_of_the_demo_is_created_once(demo_communes):
    call_command("seed_demo")
    first = _all_counts()
    call_command("seed_demo")
    changed = {label: (count, _all_counts()[label]) for label, count in first.items() if _all_counts()[label] != count}
    assert changed == {}


@override_settings(DEBUG=True)
def test_each_region_has_a_cpts_at_every_stage_walked_by_the_real_services(demo_communes):
    from governance.models import Body, Mandate, Member
    from missions.choices import SheetStatus
    from missions.models import ActionSheet
    from projects.choices import LetterStatus
    from projects.models import (
        DossierVersion,
        ExpectedOpinion,
        IntentionLetter,
        LetterDecision,
        Opinion,
        PreparedDecision,
        StatusTransition,
    )

    call_command("seed_demo")
    expected_status = {
        DemoStage.DRAFT: LetterStatus.DRAFT,
        DemoStage.REVIEW: LetterStatus.UNDER_REVIEW,
        DemoStage.COMPLEMENTS: LetterStatus.COMPLEMENTS_REQUESTED,
        DemoStage.VALIDATED: LetterStatus.VALIDATED,
    }
    # A decision prepared by an ARS agent waits for a decider: transmitted by the Guichet, or under the COPIL's review.
    prepared_status = {"76": LetterStatus.TRANSMITTED, "04": LetterStatus.UNDER_REVIEW}
    for region in ("76", "04"):
        specs = [s for s in DEMO_CPTS if s.region == region]
        assert {s.stage for s in specs} == set(DemoStage)
        for spec in specs:
            letter = IntentionLetter.objects.get(cpts__name=spec.name)
            expected = prepared_status[region] if spec.stage == DemoStage.PREPARED else expected_status[spec.stage]
            assert letter.status == expected, spec.name
            assert letter.cpts.territory.entries.count() == len(spec.communes)
            assert Membership.objects.get(user__email=spec.coordinator, role=Role.COORDINATOR).organisation_id == (
                letter.cpts_id
            )
            versions = DossierVersion.objects.filter(rows_of(letter))
            log = StatusTransition.objects.filter(rows_of(letter))
            if spec.stage == DemoStage.DRAFT:
                assert not versions.exists() and not log.exists()
                continue
            assert letter.current_version_number == versions.count() >= 1
            assert log.filter(transition="submit").exists() and log.filter(transition="open_review").exists()
            assert ExpectedOpinion.objects.filter(rows_of(letter)).exists()
            if spec.stage == DemoStage.REVIEW:
                assert Opinion.objects.filter(version__object_id=letter.pk).exists()
            if spec.stage in (DemoStage.PREPARED, DemoStage.VALIDATED):
                prepared = PreparedDecision.objects.get(letter=letter)
                assert prepared.prepared_by.memberships.filter(role=Role.AGENT).exists()
                assert log.filter(transition="prepare_decision").exists()
            if spec.stage == DemoStage.VALIDATED:
                assert versions.count() == 2  # complements asked once, then answered
                decision = LetterDecision.objects.get(letter=letter)
                assert decision.accompaniment_deadline and letter.deadlines.exists()
                sheets = ActionSheet.objects.filter(plan__cpts=letter.cpts)
                assert sheets.count() >= 8
                assert set(sheets.values_list("mission__code", flat=True)) >= {"1", "2", "3", "4"}
                assert all(s.indicators.exists() for s in sheets)
                assert sheets.filter(status=SheetStatus.VALIDATED).count() >= 2
                assert Member.objects.filter(cpts=letter.cpts).count() >= 30
                assert Body.objects.filter(cpts=letter.cpts).count() >= 3
                assert Mandate.objects.filter(body__cpts=letter.cpts).count() >= 3
                # Part 1, missions 1 A and 1 B (Annexe 2, issue 15), 2, 3 and 4.
                codes = sorted(p.code or p.kind for p in letter.cpts.budget.parts.all())
                assert codes == ["1A", "1B", "2", "3", "4", "operation"]
                assert letter.cpts.health_project.coordinator_email == spec.coordinator
    muretain = IntentionLetter.objects.get(cpts__name="CPTS du Muretain")
    transmitted = muretain.transitions.get(transition="transmit")
    assert len(transmitted.details["missing_opinions"]) == 3 and transmitted.comment  # sent on, saying why
    occitanie = IntentionLetter.objects.get(cpts__name="CPTS du Lauragais (projet)")
    assert occitanie.decision.decided_by.memberships.filter(role=Role.DECIDER).exists()
    assert occitanie.transitions.filter(transition="transmit").exists()  # the Guichet's circuit
    assert Opinion.objects.filter(version__object_id=occitanie.pk, is_consolidated=True).exists()
    reunion = IntentionLetter.objects.get(cpts__name="CPTS Sud Réunion")
    assert not reunion.transitions.filter(transition="transmit").exists()  # the COPIL's: no transmission
    assert reunion.decision.support_days and reunion.decision.fir_amount is None  # days of a structure d'appui
    assert reunion.identity_sheet.orientations.exists()


@override_settings(DEBUG=True)
def test_demo_world_has_the_regional_circuits():
    call_command("seed_demo")
    occitanie = RegionalSettings.objects.get(region__code="76")
    assert occitanie.letter_circuit == LetterCircuit.GUICHET_URPS
    letter = occitanie.circuit(Stage.LETTER)
    assert letter.desk.kind == OrganisationKind.GUICHET
    assert letter.reviewers.filter(kind=OrganisationKind.URPS).count() == 10
    assert (letter.opinion_delay_days, letter.grid_code) == (21, "lettre-guichet-urps")
    assert occitanie.fir_engineering_amount == 50000
    assert not occitanie.departmental_bodies_region_wide
    health_project = occitanie.circuit(Stage.HEALTH_PROJECT)
    assert health_project.desk.kind == OrganisationKind.ARS and health_project.decision_delay_months == 2
    assert {o.kind for o in health_project.reviewers.all()} == {
        OrganisationKind.ARS_DD,
        OrganisationKind.CPAM,
        OrganisationKind.MSA,
        OrganisationKind.GUICHET,
        OrganisationKind.ELSM,
    }
    assert [o.kind for o in occitanie.circuit(Stage.CONTRACT).reviewers.all()] == [OrganisationKind.CPAM]
    reunion = RegionalSettings.objects.get(region__code="04")
    assert reunion.letter_circuit == LetterCircuit.COPIL
    assert reunion.first_meeting_delay_days == 15
    assert reunion.circuit(Stage.LETTER).desk.kind == OrganisationKind.COPIL
    assert reunion.circuit(Stage.HEALTH_PROJECT).decision_delay_months == 2
    for stage in (Stage.HEALTH_PROJECT, Stage.CONTRACT):
        assert reunion.circuit(stage).desk.kind == OrganisationKind.ARS
        assert [o.kind for o in reunion.circuit(stage).reviewers.all()] == [OrganisationKind.CGSS]
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    # Every demo login exists, and every kind of organisation of the model has a person to log in as.
    assert set(User.objects.values_list("email", flat=True)) >= {login.email for login in LOGINS}
    kinds = set(Membership.objects.values_list("organisation__kind", flat=True))
    assert kinds == {k.value for k in OrganisationKind}


def test_seed_demo_refuses_to_run_without_debug():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")


def test_reference_data_loads_without_demo_data_and_twice_changes_nothing():
    call_command("load_reference_data")
    first = _counts()
    call_command("load_reference_data")
    assert _counts() == first
    assert first["Region"] == 18 and first["User"] == 0 and first["Organisation"] == 0
