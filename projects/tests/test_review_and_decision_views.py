"""Issue 12, points 11, 12, 13, 14, 17 and 21, through the Django test client with real data: the desk transmits
with opinions missing, the ARS agent prepares and the decider signs, the Assurance Maladie reads the validated
letter, La Réunion's letter follows its own settings, the CPTS reads the opinions when its region says, and the
submission asks for a confirmation."""

import datetime as dt
import html

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.choices import OpinionsVisibility, OrganisationKind, Role
from accounts.tests.factories import DepartementFactory, MembershipFactory, OrganisationFactory
from diagnostics.models import Commune
from projects.choices import Assessment, DeadlineKind, EventType, LetterStatus
from projects.models import (
    ExpectedOpinion,
    IntentionLetter,
    Notification,
    PreparedDecision,
    StatusTransition,
)
from projects.services import opinion_give
from projects.workflows.letter_services import letter_open_review, letter_transmit

from .factories import complete_letter, user_in
from .walk import answers_for, consolidate, give_all_opinions, to_transmitted, validate

pytestmark = pytest.mark.django_db

URPS_SECRET = "AVIS-URPS-CONFIDENTIEL sur les parcours"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def scales(db):
    call_command("loaddata", "funding_scales", verbosity=0)


def _full_edit_data(letter, **changes):
    """Every field of the letter form as the page would post it (the draft's current values)."""
    from projects.forms import LetterForm

    data = {
        "structure-legal_form": "prefiguration",
        "structure-name": "Association de préfiguration",
        "structure-siret": "73282932000074",
        "team-TOTAL_FORMS": "0",
        "team-INITIAL_FORMS": "0",
        "professions-TOTAL_FORMS": "0",
        "professions-INITIAL_FORMS": "0",
        "action": "save",
    }
    for name in LetterForm._meta.fields:
        value = getattr(letter, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    data.update(changes)
    return data


def _one_urps_answers(letter, circuit, comment=URPS_SECRET):
    return opinion_give(
        letter=letter,
        by=circuit.reviewer_users[0],
        overall=Assessment.RESERVED,
        comment=comment,
        answers=answers_for(letter),
    )


# --- Point 11: transmitting with opinions missing --------------------------------------------------------------


def test_the_desk_transmits_with_an_opinion_missing_by_stating_why_and_the_ars_sees_it(client, under_review, circuit):
    letter = under_review
    _one_urps_answers(letter, circuit)
    consolidate(letter, circuit)
    missing = sorted(o.name for o in circuit.reviewers[1:])
    detail = reverse("projects:letter_detail", args=[letter.pk])
    client.force_login(circuit.desk_user)
    page = text(client.get(detail))
    assert "Transmettre à l'ARS sans tous les avis" in page
    assert "Pour transmettre sans les attendre, indiquez pourquoi" in page and missing[0] in page

    # Within the delay, no motive: refused with a French reason, nothing changes.
    response = client.post(reverse("projects:letter_transmit", args=[letter.pk]), {"comment": "  "}, follow=True)
    assert "indiquez pourquoi vous transmettez sans les attendre" in text(response)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.UNDER_REVIEW
    assert not StatusTransition.objects.filter(intention_letter=letter, transition="transmit").exists()

    motive = "Commission de l'ARS le 12 : les URPS restantes ont été relancées deux fois."
    client.post(reverse("projects:letter_transmit", args=[letter.pk]), {"comment": motive})
    letter.refresh_from_db()
    assert letter.status == LetterStatus.TRANSMITTED
    log = StatusTransition.objects.get(intention_letter=letter, transition="transmit")
    assert log.comment == motive
    assert log.details == {"missing_opinions": missing, "delay_passed": False}

    client.force_login(circuit.ars_agent)
    page = text(client.get(detail))
    assert "Transmise à l'ARS sans tous les avis" in page
    assert ", ".join(missing) in page and motive in page and "avant la fin du délai d'avis" in page


def test_once_the_delay_has_passed_the_desk_transmits_without_a_motive(client, under_review, circuit):
    letter = under_review
    _one_urps_answers(letter, circuit)
    consolidate(letter, circuit)
    ExpectedOpinion.objects.filter(intention_letter=letter).update(due_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(circuit.desk_user)
    page = text(client.get(reverse("projects:letter_detail", args=[letter.pk])))
    assert "délai dépassé depuis le" in page
    client.post(reverse("projects:letter_transmit", args=[letter.pk]), {"comment": ""})
    letter.refresh_from_db()
    assert letter.status == LetterStatus.TRANSMITTED
    log = StatusTransition.objects.get(intention_letter=letter, transition="transmit")
    assert log.details["delay_passed"] is True and len(log.details["missing_opinions"]) == 2
    client.force_login(circuit.ars_decider)
    page = text(client.get(reverse("projects:letter_detail", args=[letter.pk])))
    assert "délai d'avis dépassé" in page and "Le guichet n'a pas indiqué de motif" in page


def test_without_its_consolidated_opinion_the_desk_cannot_transmit(client, under_review, circuit):
    give_all_opinions(under_review, circuit)
    client.force_login(circuit.desk_user)
    page = text(client.get(reverse("projects:letter_detail", args=[under_review.pk])))
    assert "Rédigez l'avis consolidé du guichet avant de transmettre la lettre à l'ARS." in page


# --- Point 12: the agent prepares, the decider signs ---------------------------------------------------------------


DECISION = {
    "outcome": "validated",
    "motive": "Projet solide, équipe pluriprofessionnelle.",
    "decided_on": "2024-03-15",
    "fir_amount": "50000",
    "fir_instalments": "2",
    "fir_period_months": "6",
    "accompaniment_amount": "15000",
    "commitment_months": "9",
}


def test_an_ars_agent_prepares_the_decision_and_only_a_decider_signs_it(client, letter, owner, circuit):
    to_transmitted(letter, owner, circuit)
    detail = reverse("projects:letter_detail", args=[letter.pk])
    client.force_login(circuit.ars_agent)
    page = text(client.get(detail))
    assert "Préparer la décision" in page and "Signer la décision" not in page
    assert client.get(reverse("projects:letter_decision", args=[letter.pk])).status_code == 403
    assert client.post(reverse("projects:letter_decision", args=[letter.pk]), DECISION).status_code == 403
    form = client.get(reverse("projects:letter_prepare_decision", args=[letter.pk]))
    assert form.status_code == 200 and 'value="50000' in text(form)
    bad = client.post(reverse("projects:letter_prepare_decision", args=[letter.pk]), {"outcome": "validated"})
    assert bad.status_code == 200 and "Ce champ est obligatoire" in text(bad)
    response = client.post(
        reverse("projects:letter_prepare_decision", args=[letter.pk]), {**DECISION, "decided_on": ""}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.TRANSMITTED and not hasattr(letter, "decision")
    prepared = PreparedDecision.objects.get(letter=letter)
    assert prepared.prepared_by == circuit.ars_agent and prepared.fir_amount == 50000
    assert StatusTransition.objects.filter(intention_letter=letter, transition="prepare_decision").count() == 1
    # The prepared motive is the ARS's (and the reviewers') until a decider signs: the CPTS reads the step, not it.
    client.force_login(owner)
    page = text(client.get(detail))
    assert "Décision préparée pour signature" in page and DECISION["motive"] not in page
    client.force_login(circuit.desk_user)
    assert DECISION["motive"] in text(client.get(detail))

    # The decider reads the prepared decision, amends the motive and signs it.
    client.force_login(circuit.ars_decider)
    page = text(client.get(detail))
    assert "Décision préparée, à signer par un décideur de l'ARS" in page and "Signer la décision préparée" in page
    form = text(client.get(reverse("projects:letter_decision", args=[letter.pk])))
    assert "Décision préparée par" in form and "Projet solide, équipe pluriprofessionnelle." in form
    signed = client.post(
        reverse("projects:letter_decision", args=[letter.pk]), {**DECISION, "motive": "Projet solide ; amendé."}
    )
    assert signed.status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.VALIDATED
    assert letter.decision.decided_by == circuit.ars_decider and letter.decision.prepared_by == circuit.ars_agent
    validate_log = StatusTransition.objects.get(intention_letter=letter, transition="validate")
    assert validate_log.details["amended"] is True

    # Both steps are in the dossier's history, read by the CPTS.
    client.force_login(owner)
    page = text(client.get(detail))
    assert "Décision préparée pour signature" in page and "Décision signée : lettre validée" in page
    assert "préparée par" in page
    assert "Projet solide ; amendé." in page and DECISION["motive"] not in page  # the signed motive only


# --- Point 13: the Assurance Maladie of the area -------------------------------------------------------------------


@pytest.fixture
def cpam_users(cpts, circuit):
    """A CPAM of the département of the territory, one of another département, and the region's CGSS."""
    here = DepartementFactory(region=circuit.region, code="31", name="Haute-Garonne")
    elsewhere = DepartementFactory(region=circuit.region, code="11", name="Aude")
    Commune.objects.filter(territory_entries__territory__cpts=cpts).update(departement=here)
    ours = OrganisationFactory(name="CPAM du territoire", kind=OrganisationKind.CPAM, region=circuit.region,
                               departement=here)  # fmt: skip
    theirs = OrganisationFactory(name="CPAM d'à côté", kind=OrganisationKind.CPAM, region=circuit.region,
                                 departement=elsewhere)  # fmt: skip
    cgss = OrganisationFactory(name="CGSS", kind=OrganisationKind.CGSS, region=circuit.region)
    return {"ours": user_in(ours, Role.AGENT), "theirs": user_in(theirs, Role.AGENT), "cgss": user_in(cgss, Role.AGENT)}


def test_the_assurance_maladie_of_the_area_reads_the_validated_letter_only(client, letter, owner, circuit, cpam_users):
    detail = reverse("projects:letter_detail", args=[letter.pk])
    to_transmitted(letter, owner, circuit)
    client.force_login(cpam_users["ours"])
    assert client.get(detail).status_code == 403  # not while it is reviewed
    assert letter.cpts.name not in text(client.get(reverse("projects:letter_list")))

    validate(letter, circuit.ars_decider, accompaniment_amount=15000)
    page = text(client.get(detail))
    assert "Décision : lettre validée" in page and "Engagement d'accompagnement" in page
    assert "Avis consolidé" not in page and "Donner l'avis" not in page and "Nouveau message" not in page
    assert letter.cpts.name in text(client.get(reverse("projects:letter_list")))
    client.force_login(cpam_users["cgss"])
    assert client.get(detail).status_code == 200
    client.force_login(cpam_users["theirs"])
    assert client.get(detail).status_code == 403
    assert letter.cpts.name not in text(client.get(reverse("projects:letter_list")))


# --- Point 14: La Réunion's letter, decision and messages ---------------------------------------------------------


@pytest.fixture
def reunion_letter(other_region, reunion):
    cpts = OrganisationFactory(name="CPTS du Sud Sauvage", region=other_region)
    coordinator = MembershipFactory(organisation=cpts, role=Role.COORDINATOR).user
    settings = reunion.settings
    settings.letter_funding = "support"
    settings.identity_sheet_required = True
    settings.priority_themes = "Diabète et obésité\nPersonnes âgées"
    settings.save()
    return complete_letter(cpts), coordinator


def test_la_reunion_letter_follows_its_regional_settings(client, reunion, reunion_letter):
    letter, coordinator = reunion_letter
    client.force_login(coordinator)
    edit = reverse("projects:letter_edit", args=[letter.pk])
    form = text(client.get(edit))
    assert "Thématiques prioritaires retenues par l'équipe" in form and "Diabète et obésité" in form

    # The themes are saved with the draft and frozen in the version.
    data = _full_edit_data(letter, action="save")
    data["themes"] = ["Diabète et obésité"]
    client.post(edit, data)
    letter.refresh_from_db()
    assert letter.themes == ["Diabète et obésité"]
    confirm = client.post(reverse("projects:letter_submit_confirm", args=[letter.pk]), {"confirm": "on"}, follow=True)
    page = text(confirm)
    assert "Le guichet de votre région est prévenu" not in page
    assert "COPIL exercice coordonné en est prévenu" in page
    letter.refresh_from_db()
    assert letter.versions.get().data["project"]["themes"] == ["Diabète et obésité"]

    # The COPIL decides: support by a structure d'appui, no FIR grant.
    letter_open_review(letter=letter, by=reunion.desk_user)
    client.force_login(reunion.ars_decider)  # the ARS reads who examines the letter: the COPIL, not a "guichet"
    page = text(client.get(reverse("projects:letter_detail", args=[letter.pk])))
    assert "En examen : COPIL exercice coordonné" in page and "guichet" not in page.lower()
    client.force_login(reunion.desk_user)
    decision_url = reverse("projects:letter_decision", args=[letter.pk])
    form = text(client.get(decision_url))
    assert "structure d'appui" in form and "Journées d'appui accordées" in form
    assert "FIR" not in form
    too_long = client.post(
        decision_url,
        {"outcome": "validated", "motive": "Équipe crédible", "decided_on": "2024-03-15", "support_days": "20",
         "commitment_months": "12"},
    )  # fmt: skip
    assert too_long.status_code == 200 and "inférieure ou égale à 9" in text(too_long)
    response = client.post(
        decision_url,
        {"outcome": "validated", "motive": "Équipe crédible", "decided_on": "2024-03-15", "support_days": "20",
         "commitment_months": "9"},
    )  # fmt: skip
    assert response.status_code == 302
    assert "Le guichet" not in text(client.get(reverse("projects:letter_detail", args=[letter.pk])))
    letter.refresh_from_db()
    decision = letter.decision
    assert decision.fir_amount is None and decision.support_days == 20
    assert decision.accompaniment_deadline == dt.date(2024, 12, 15)
    assert letter.deadlines.filter(kind=DeadlineKind.SUPPORT).exists()

    # The coordinator reads the support, and the next step: the fiche signalétique.
    client.force_login(coordinator)
    page = text(client.get(reverse("projects:letter_detail", args=[letter.pk])))
    assert "Accompagnement par une structure d'appui : 20 journées d'appui" in page
    assert "Subvention FIR" not in page
    assert "Étape suivante : la fiche signalétique" in page
    assert client.get(reverse("projects:letter_identity_sheet", args=[letter.pk])).status_code == 200


def test_occitanie_keeps_its_fir_form_without_themes(client, letter, owner, circuit):
    client.force_login(owner)
    form = text(client.get(reverse("projects:letter_edit", args=[letter.pk])))
    assert "Thématiques prioritaires" not in form


# --- Point 17: when the CPTS reads the opinions -------------------------------------------------------------------


def test_the_coordinator_reads_the_opinions_only_once_the_letter_is_transmitted(client, under_review, owner, circuit):
    letter = under_review
    _one_urps_answers(letter, circuit)
    detail = reverse("projects:letter_detail", args=[letter.pk])
    preview = reverse("projects:version_preview", args=[letter.pk, 1]) + "?avec=decision"
    client.force_login(owner)
    page = text(client.get(detail))
    assert URPS_SECRET not in page and "Réservé" not in page
    assert "avis reçus 1/3" in page  # the progress, not the content
    assert "Le contenu des avis vous sera communiqué une fois la lettre transmise à l'ARS" in page
    assert "Avis communiqués à la CPTS : une fois la lettre transmise à l'ars" in page
    assert URPS_SECRET not in text(client.get(preview))
    assert not Notification.objects.filter(recipient=owner, event__type=EventType.LETTER_OPINION_GIVEN).exists()
    assert URPS_SECRET not in text(client.get(reverse("projects:notification_list")))

    consolidate(letter, circuit)
    assert "Avis consolidé" not in text(client.get(detail))  # the Guichet's opinion neither, before the ARS has it
    client.force_login(circuit.desk_user)
    assert URPS_SECRET in text(client.get(detail))  # the desk reads them all along
    letter_transmit(letter=letter, by=circuit.desk_user, comment="Deux URPS n'ont pas répondu.")

    client.force_login(owner)
    page = text(client.get(detail))
    assert URPS_SECRET in page and "Avis consolidé" in page
    assert URPS_SECRET in text(client.get(preview))


def test_a_region_may_show_the_opinions_only_once_decided(client, letter, owner, circuit):
    circuit.settings.opinions_visible_to_cpts = OpinionsVisibility.DECIDED
    circuit.settings.save()
    to_transmitted(letter, owner, circuit)
    client.force_login(owner)
    page = text(client.get(reverse("projects:letter_detail", args=[letter.pk])))
    assert "Avis motivé" not in page and "une fois la décision rendue" in page
    validate(letter, circuit.ars_decider)
    assert "Avis motivé" in text(client.get(reverse("projects:letter_detail", args=[letter.pk])))


def test_a_region_may_show_the_opinions_at_once(client, under_review, owner, circuit):
    circuit.settings.opinions_visible_to_cpts = OpinionsVisibility.IMMEDIATELY
    circuit.settings.save()
    _one_urps_answers(under_review, circuit)
    client.force_login(owner)
    assert URPS_SECRET in text(client.get(reverse("projects:letter_detail", args=[under_review.pk])))


def test_the_setting_is_on_the_regional_settings_admin_page(client, circuit):
    from accounts.tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = text(client.get(reverse("admin:accounts_regionalsettings_change", args=[circuit.settings.pk])))
    assert "Quand la CPTS voit les avis" in page and "Une fois la lettre transmise à l'ARS" in page
    listing = text(client.get(reverse("admin:accounts_regionalsettings_changelist")))
    assert "Quand la CPTS voit les avis" in listing


# --- Point 21: submitting asks for a confirmation ------------------------------------------------------------------


def test_submitting_asks_for_a_confirmation_checked_on_the_server(client, letter, owner, circuit):
    client.force_login(owner)
    response = client.post(reverse("projects:letter_edit", args=[letter.pk]), _full_edit_data(letter, action="submit"))
    confirm_url = reverse("projects:letter_submit_confirm", args=[letter.pk])
    assert response.status_code == 302 and response["Location"] == confirm_url
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT  # nothing sent yet

    page = text(client.get(confirm_url))
    assert "Confirmer le dépôt de la lettre d'intention" in page and "Guichet CPTS la reçoit" in page
    refused = client.post(confirm_url, {"comment": ""})
    assert refused.status_code == 200 and "Cochez la case pour confirmer le dépôt de la lettre." in text(refused)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT

    # The bare action URL does not submit without the confirmation either.
    client.post(reverse("projects:letter_submit", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT

    done = client.post(confirm_url, {"confirm": "on", "comment": "Merci"}, follow=True)
    assert "Lettre d'intention déposée : Guichet CPTS en est prévenu" in text(done)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SUBMITTED and letter.current_version_number == 1
    assert IntentionLetter.objects.get(pk=letter.pk).transitions.get().comment == "Merci"
