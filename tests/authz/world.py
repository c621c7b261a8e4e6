"""The world the authorization matrix walks: real objects built once with the factories and the services.

Two regions. In Occitanie (R1): the owning CPTS (territory, a letter under review with opinions, messages and an
internal note, its rendered PDF, governance members with contact data, bodies, partners, a PDF document, a budget,
an action plan with a fiche and an indicator), a sister CPTS with a draft letter, the Guichet (desk), an URPS, the
ARS, and in the CPTS's département (Haute-Garonne: both territories lie there) a CPAM and the ARS's delegation; in
another département of R1 (Ariège) a CPAM and the ARS's delegation, which act for their own area only (issue 13,
point 3; ``test_matrix`` walks them again with the region-wide setting on). In La Réunion (R2): a Guichet and an
ARS of their own.

The owning CPTS's health project is in review (issue 16, ``_health_project_in_review``): the region's health project
circuit (desk: the ARS; consulted: the DD and the CPAM of Haute-Garonne, the MSA, the Guichet as Inter-URPS, the ELSM
of Haute-Garonne; the URPS persona is not consulted), version 1 deposited then sent back for complements, version 2
deposited, opinions given (the DD on version 1, the CPAM on version 2), others awaited, a decision prepared by the
ARS agent and not yet signed.

Each persona is a real account; ``SECRETS`` lists texts that only some personas may ever read, whatever the page.
"""

from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

PERSONAS = (
    "coordinator",  # coordinator of the owning CPTS
    "member",  # member (role "member") of the owning CPTS
    "other_coordinator",  # coordinator of another CPTS of the same region
    "desk",  # reviewer of the Guichet CPTS of the region (receives the letters)
    "urps",  # reviewer of an URPS of the region (gives an opinion)
    "foreign_reviewer",  # reviewer of the Guichet of another region
    "ars",  # agent of the ARS of the region
    "foreign_ars",  # agent of the ARS of another region
    "health_insurance",  # agent of the CPAM of the CPTS's département (Assurance Maladie)
    "msa",  # agent of the MSA of the region (consulted on the health project only)
    "elsm",  # agent of the ELSM of the CPTS's département (consulted on the health project only)
    "ars_decider",  # decider of the ARS of the region (signs the decisions)
    "dd",  # agent of the ARS's delegation of the CPTS's département
    "dd_elsewhere",  # agent of the ARS's delegation of another département of the region
    "cpam_elsewhere",  # agent of the CPAM of another département of the region
    "admin",  # platform administrator (staff)
    "anonymous",
)


@dataclass(frozen=True)
class Secret:
    """A text of one organisation that only ``readers`` may see in any answer."""

    text: str
    readers: frozenset
    what: str


@dataclass
class World:
    users: dict = field(default_factory=dict)  # persona -> User (anonymous absent)
    cpts: object = None
    sister: object = None
    foreign_cpts: object = None
    region: object = None
    other_region: object = None
    letter: object = None
    sister_letter: object = None
    document: object = None  # RenderedDocument of the letter (PDF ready)
    territory_entry: object = None
    budget: object = None
    budget_part: object = None
    member: object = None  # governance Member of the owning CPTS, with contact data
    partner: object = None
    body: object = None
    mandate: object = None
    referent: object = None
    gov_document: object = None
    invitation_token: str = ""
    plan: object = None
    sheet: object = None
    indicator: object = None
    organisation_ids: dict = field(default_factory=dict)
    secrets: list = field(default_factory=list)
    objects: dict = field(default_factory=dict)  # anything else a kwargs builder needs

    def pk(self, name):
        return self.objects[name].pk


def tiny_pdf(text: str = "Statuts") -> bytes:
    """A real one-page PDF (pypdf reads it)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def build_world() -> World:
    from accounts.choices import OrganisationKind, Role
    from accounts.tests.factories import DepartementFactory, MembershipFactory, OrganisationFactory, RegionFactory
    from diagnostics.models import Commune, TerritoryCommune
    from diagnostics.services import diagnostic_update
    from funding.documents import budget_document_render_now, budget_document_request
    from funding.services import budget_save_parameters
    from governance.models import Body, InclusionAction, Partner, Referent
    from governance.services import document_upload, mandate_create, member_invite, partner_save
    from governance.tests.factories import MemberFactory, load_professions
    from missions.documents import plan_document_render_now, plan_document_request
    from missions.tests.factories import ActionPlanFactory, ActionSheetFactory, IndicatorFactory, load_catalogue
    from projects.choices import Assessment, DocumentKind
    from projects.models import RenderedDocument
    from projects.services import document_render_now, message_post, note_add, opinion_give
    from projects.tests.factories import complete_letter, occitanie_circuit, territory_for, user_in
    from projects.tests.walk import answers_for
    from projects.workflows.letter_services import letter_open_review, letter_submit

    for fixture in ("opinion_grids", "funding_scales", "professions", "missions", "action_examples", "indicators"):
        call_command("loaddata", fixture, verbosity=0)
    load_professions()
    load_catalogue()

    w = World()
    w.region = RegionFactory()
    w.other_region = RegionFactory(code="04", name="La Réunion")
    departement = DepartementFactory(region=w.region)

    # The owning CPTS and its people.
    w.cpts = OrganisationFactory(name="CPTS du Lauragais", region=w.region)
    coordinator = MembershipFactory(
        organisation=w.cpts,
        role=Role.COORDINATOR,
        user__first_name="Camille",
        user__email="camille.coordination@cpts-lauragais.fr",
        user__phone="05 61 00 00 01",
    ).user
    member_user = MembershipFactory(
        organisation=w.cpts, role=Role.MEMBER, user__email="membre.portail@cpts-lauragais.fr"
    ).user

    # The region's reviewing bodies: the Guichet (desk), URPS, ARS (+ DD), and a CPAM.
    urps = OrganisationFactory(
        name="URPS Médecins Occitanie", kind=OrganisationKind.URPS, region=w.region, profession="medecins"
    )
    urps_user = MembershipFactory(organisation=urps, role=Role.REVIEWER).user
    circuit = occitanie_circuit(w.region, urps_count=2, reuse=[urps])
    cpam = OrganisationFactory(
        name="CPAM de la Haute-Garonne", kind=OrganisationKind.CPAM, region=w.region, departement=departement
    )
    cpam_user = MembershipFactory(organisation=cpam, role=Role.AGENT).user
    # The circuit's delegation is that of Haute-Garonne (the CPTS's département); Ariège has its own, and a CPAM.
    assert circuit.ars_dd_agent.memberships.get().organisation.departement == departement
    elsewhere = DepartementFactory(code="09", name="Ariège", region=w.region)
    dd_elsewhere = OrganisationFactory(
        name="ARS DD de l'Ariège", kind=OrganisationKind.ARS_DD, region=w.region, departement=elsewhere
    )
    dd_elsewhere_user = MembershipFactory(organisation=dd_elsewhere, role=Role.AGENT).user
    cpam_elsewhere = OrganisationFactory(
        name="CPAM de l'Ariège", kind=OrganisationKind.CPAM, region=w.region, departement=elsewhere
    )
    cpam_elsewhere_user = MembershipFactory(organisation=cpam_elsewhere, role=Role.AGENT).user
    operator = OrganisationFactory(name="Opérateur", kind=OrganisationKind.OPERATOR, region=w.region)
    admin_user = MembershipFactory(organisation=operator, role=Role.ADMINISTRATOR).user
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()

    # Another region with its own Guichet and ARS.
    foreign = occitanie_circuit(w.other_region, urps_count=1)
    w.foreign_cpts = OrganisationFactory(name="CPTS de l'Ouest", region=w.other_region)

    # A sister CPTS in the same region, with a draft letter nobody else may read.
    w.sister = OrganisationFactory(name="CPTS des Coteaux", region=w.region)
    sister_coordinator = MembershipFactory(organisation=w.sister, role=Role.COORDINATOR).user
    # Its letter is a draft: its territory can still be edited (the owning CPTS's is frozen by the submission).
    sister_territory = territory_for(w.sister, communes=[("Montgiscard", 2400)])
    w.objects["sister_entry"] = TerritoryCommune.objects.filter(territory=sister_territory).first()
    w.sister_letter = complete_letter(w.sister, needs="BROUILLON-CONFIDENTIEL-COTEAUX besoins non encore déposés")

    # The health project's consulted bodies besides the DD, the CPAM and the Guichet (issue 16).
    msa = OrganisationFactory(name="MSA Midi-Pyrénées Sud", kind=OrganisationKind.MSA, region=w.region)
    msa_user = MembershipFactory(organisation=msa, role=Role.AGENT).user
    elsm = OrganisationFactory(
        name="ELSM de la Haute-Garonne", kind=OrganisationKind.ELSM, region=w.region, departement=departement
    )
    elsm_user = MembershipFactory(organisation=elsm, role=Role.AGENT).user

    w.users = {
        "coordinator": coordinator,
        "member": member_user,
        "other_coordinator": sister_coordinator,
        "desk": circuit.desk_user,
        "urps": urps_user,
        "foreign_reviewer": foreign.desk_user,
        "ars": circuit.ars_agent,
        "foreign_ars": foreign.ars_agent,
        "health_insurance": cpam_user,
        "dd": circuit.ars_dd_agent,
        "dd_elsewhere": dd_elsewhere_user,
        "cpam_elsewhere": cpam_elsewhere_user,
        "msa": msa_user,
        "elsm": elsm_user,
        "ars_decider": circuit.ars_decider,
        "admin": admin_user,
    }
    w.organisation_ids = {"cpam": cpam.pk, "urps": urps.pk, "desk": circuit.desk.pk, "ars": circuit.ars.pk}
    w.objects["settings"] = circuit.settings
    dd = circuit.ars_dd_agent.memberships.get().organisation
    w.objects["health_project_reviewers"] = [dd, cpam, msa, circuit.desk, elsm]

    # Territory and diagnostic of the owning CPTS.
    territory = territory_for(w.cpts)
    # Both territories lie in Haute-Garonne: its CPAM and its delegation act for them, Ariège's do not.
    Commune.objects.filter(territory_entries__territory__cpts__in=[w.cpts, w.sister]).update(departement=departement)
    w.territory_entry = TerritoryCommune.objects.filter(territory=territory).first()
    diagnostic_update(territory=territory, user=coordinator, needs_text="Manque de médecins traitants.")

    # The letter: submitted, under review, one URPS opinion, a message, an internal note, its PDF rendered.
    w.letter = complete_letter(w.cpts)
    letter_submit(letter=w.letter, by=coordinator)
    letter_open_review(letter=w.letter, by=circuit.desk_user)
    # Another URPS has answered; the persona's URPS has not yet (its opinion page is open to it).
    opinion_give(
        letter=w.letter,
        by=circuit.reviewer_users[1],
        overall=Assessment.FAVORABLE,
        comment="Avis motivé",
        answers=answers_for(w.letter),
    )
    message_post(letter=w.letter, by=coordinator, body="Bonjour, voici notre lettre.")
    note_add(letter=w.letter, by=urps_user, body="NOTE-INTERNE-URPS à ne jamais montrer à la CPTS")
    document = RenderedDocument.objects.get(version__object_id=w.letter.pk, kind=DocumentKind.LETTER)
    w.document = document_render_now(document_id=document.pk)
    w.letter.refresh_from_db()

    # Governance: members with contact data, a body with a mandate, a referent, a partner, a PDF, an action.
    w.member = MemberFactory(
        cpts=w.cpts, last_name="Durand", email="jeanne.durand@cabinet-prive.fr", phone="06 98 76 54 32"
    )
    MemberFactory(cpts=w.cpts, last_name="Petit", email="paul.petit@cabinet-prive.fr", phone="06 11 22 33 44")
    sister_member = MemberFactory(
        cpts=w.sister, last_name="Roux", email="secret.roux@coteaux.fr", phone="07 00 00 00 07"
    )
    w.body = Body.objects.create(cpts=w.cpts, kind="bureau")
    w.mandate = mandate_create(body=w.body, member=w.member, role="president", started_on=dt.date(2024, 2, 1))
    w.referent = Referent.objects.create(cpts=w.cpts, kind="crisis", member=w.member, started_on=dt.date(2024, 2, 1))
    w.partner = partner_save(
        partner=Partner(cpts=w.cpts, name="Centre hospitalier de Lavaur", representative="Mme Directrice"),
        agreement=SimpleUploadedFile("convention.pdf", tiny_pdf("Convention"), content_type="application/pdf"),
    )
    w.gov_document = document_upload(
        cpts=w.cpts,
        kind="statutes",
        title="Statuts de l'association",
        uploaded=SimpleUploadedFile("statuts.pdf", tiny_pdf(), content_type="application/pdf"),
        uploaded_by=coordinator,
    )
    InclusionAction.objects.create(cpts=w.cpts, date=dt.date(2024, 3, 1), kind="meeting", title="Réunion publique")
    _invitation, w.invitation_token = member_invite(member=w.member, invited_by=coordinator)
    # Funding: the CPTS's budget.
    w.budget = budget_save_parameters(
        organisation=w.cpts, by=coordinator, signed_on=dt.date(2022, 3, 1), missions=["1", "2", "3", "4"], taille=2
    )
    w.budget_part = w.budget.parts.first()
    budget_document = budget_document_request(budget=w.budget, by=coordinator)  # its PDF, as the readers get it
    budget_document_render_now(document_id=budget_document.pk)

    # Missions: an action plan, a fiche with an indicator.
    w.plan = ActionPlanFactory(cpts=w.cpts)
    w.sheet = ActionSheetFactory(plan=w.plan, title="Médecin traitant pour les patients fragiles")
    w.indicator = IndicatorFactory(sheet=w.sheet)
    for with_contacts in (True, False):  # the plan's PDF, as the coordination and as the members get it
        plan_document = plan_document_request(plan=w.plan, sheet=None, with_contacts=with_contacts, by=coordinator)
        plan_document_render_now(document_id=plan_document.pk)

    _health_project_in_review(w, circuit)

    w.secrets = [
        Secret(w.member.email, frozenset({"coordinator", "admin"}), "e-mail d'un membre de la CPTS"),
        Secret(w.member.phone, frozenset({"coordinator", "admin"}), "téléphone d'un membre de la CPTS"),
        Secret(sister_member.email, frozenset({"other_coordinator", "admin"}), "e-mail d'un membre de la CPTS sœur"),
        Secret(coordinator.phone, frozenset({"coordinator", "admin"}), "téléphone du coordinateur"),
        Secret(
            "BROUILLON-CONFIDENTIEL-COTEAUX",
            frozenset({"other_coordinator", "admin"}),
            "texte de la lettre en brouillon d'une autre CPTS",
        ),
        Secret(
            "NOTE-INTERNE-URPS",
            frozenset({"urps", "admin"}),
            "note interne d'une URPS",
        ),
        # The opinions on the health project and the grid: the ARS and the organisations consulted (the DD reads
        # the review as the ARS's delegation too), the Assurance Maladie of the territory, administrators.
        Secret(
            "AVIS-DD-PROJET",
            frozenset({"ars", "ars_decider", "dd", "health_insurance", "desk", "msa", "elsm", "admin"}),
            "avis de la délégation départementale sur le projet de santé",
        ),
        # A decision prepared and not signed: the ARS's until a decider signs it.
        Secret(
            "MOTIF-DECISION-PREPAREE",
            frozenset({"ars", "ars_decider", "admin"}),
            "motif de la décision préparée (non signée) sur le projet de santé",
        ),
    ]
    w.objects["sister_member"] = sister_member
    w.objects["user_in"] = user_in
    return w


# --- The health project in review (issue 16) ----------------------------------------------------------------------


@contextmanager
def approval_guard_lifted():
    """``project_approve`` without its content guard (the completeness panel, every fiche and the plan validated, the
    budget complete): meeting it would freeze the world's plan, fiche and budget, which the missions and funding
    pages of the matrix walk in their draft state. Every other guard runs (the signatures' rule and fingerprint at
    the deposit, the statuses, who may fire what)."""
    from projects.workflows import health_project as definition

    real = definition.GUARDS["approve"]
    definition.GUARDS["approve"] = lambda project: []
    try:
        yield
    finally:
        definition.GUARDS["approve"] = real


def _health_project_in_review(w: World, circuit) -> None:
    """The owning CPTS's health project, walked through the real services: the region's health project circuit and
    template, the project opened (directly: the CPTS's letter stays under review for the letter's pages, and
    ``health_project_start`` waits for a validated letter), put to signature (Durand by link, Petit on paper) and
    deposited; the DD gives its opinion on version 1; the ARS agent asks for complements on two sections; the
    coordinator completes, puts version 2 to signature (Petit by link; Durand's link is not used yet, the region
    asking a quorum of 50 %) and deposits it; the CPAM gives its opinion on version 2 (the DD's, the MSA's, the
    Guichet's and the ELSM's are awaited); the agent prepares the non-opposition, which no decider has signed yet.
    Version 2's PDF is rendered (the download is walked)."""
    from accounts.choices import ProjectSection, SignatureRule, Stage
    from accounts.demo import HEALTH_PROJECT_GRID, OCCITANIE_TEMPLATE
    from accounts.models import ReviewerDelay, StageCircuit, TemplateSection
    from governance.selectors import signature_round_current
    from governance.signatures import signature_link_issue, signature_record_paper, signature_sign
    from projects.choices import Assessment, ComplementReason, DocumentKind, ProjectDecisionOutcome
    from projects.models import HealthProject, OpinionGrid, RenderedDocument
    from projects.services import document_render_now, health_project_update
    from projects.workflows.health_project_services import (
        project_approve,
        project_deposit,
        project_give_opinion,
        project_prepare_decision,
        project_request_complements,
    )

    settings = w.objects["settings"]
    settings.signature_rule, settings.signature_quorum_percent = SignatureRule.QUORUM, 50
    settings.save(update_fields=["signature_rule", "signature_quorum_percent"])
    reviewers = w.objects["health_project_reviewers"]
    dd = reviewers[0]
    hp_circuit = StageCircuit.objects.create(
        settings=settings,
        stage=Stage.HEALTH_PROJECT,
        desk=circuit.ars,
        opinion_delay_days=30,
        decision_delay_months=2,
        grid_code=HEALTH_PROJECT_GRID,
    )
    hp_circuit.reviewers.set(reviewers)
    ReviewerDelay.objects.create(circuit=hp_circuit, organisation=dd, delay_days=21)
    TemplateSection.objects.bulk_create(
        TemplateSection(settings=settings, code=code, title=title, order=order)
        for order, (code, title) in enumerate(OCCITANIE_TEMPLATE, start=1)
    )

    coordinator, agent = w.users["coordinator"], w.users["ars"]
    project = HealthProject(cpts=w.cpts, created_by=coordinator, cpts_name=w.cpts.name)
    project.full_clean(exclude=["status"])
    project.save()
    project = health_project_update(
        project=project,
        data={
            "association_name": "Association CPTS du Lauragais",
            "coordinator_name": coordinator.get_full_name(),
            "ways_of_working": "Messagerie sécurisée de santé ; réunion plénière trimestrielle.",
        },
    )

    def sign(*, paper: bool):
        """Round 1: Durand by link, Petit on paper. Round 2: Petit by link; Durand's link is sent, not used yet (the
        region's quorum of 50 % is met): the signing page and the paper form are open on it."""
        signature_round = signature_round_current(project)
        for signature in signature_round.signatures.select_related("round", "member").order_by("member__last_name"):
            token = signature_link_issue(signature=signature)
            if paper and signature.member_id != w.member.pk:
                w.objects["paper_signature"] = signature_record_paper(
                    signature=signature,
                    scan=SimpleUploadedFile("signature.pdf", tiny_pdf("Signature"), content_type="application/pdf"),
                    signed_on=timezone.localdate(),
                    by=coordinator,
                )
            elif paper or signature.member_id != w.member.pk:
                signature_sign(token=token, seen_sha256=signature_round.sha256, ip_address=None, user_agent="Monde")
            else:
                w.objects["signature"], w.objects["signature_token"] = signature, token
        w.objects["signature_round"] = signature_round

    grid = OpinionGrid.objects.get(code=HEALTH_PROJECT_GRID)

    def answers(project) -> dict:
        return {c.pk: (Assessment.FAVORABLE, "") for c in grid.criteria.all()}

    with approval_guard_lifted():
        project_approve(project=project, by=coordinator, comment="Relu par le bureau.")
        sign(paper=True)
        project_deposit(project=project, by=coordinator)
        project_give_opinion(
            project=project,
            by=circuit.ars_dd_agent,
            overall=Assessment.RESERVED,
            comment="AVIS-DD-PROJET : préciser les partenariats hospitaliers.",
            answers=answers(project),
        )
        project_request_complements(
            project=project,
            by=agent,
            reason=ComplementReason.INCOMPLETE,
            message="Précisez les partenariats et le fonctionnement.",
            section_comments={
                ProjectSection.ORGANISATION: "Nommez les partenaires hospitaliers.",
                ProjectSection.INFORMATION_SYSTEM: "Quelle messagerie sécurisée ?",
            },
        )
        project = health_project_update(
            project=HealthProject.objects.get(pk=project.pk),
            data={"ways_of_working": "MSSanté et Mon espace santé ; réunion plénière trimestrielle."},
        )
        project_approve(project=project, by=coordinator, comment="Compléments apportés.")
        sign(paper=False)
        project_deposit(project=project, by=coordinator, comment="Version complétée.")
        project_give_opinion(
            project=project, by=w.users["health_insurance"], overall=Assessment.FAVORABLE, comment="Avis de la CPAM.",
            answers=answers(project),
        )  # fmt: skip
        project_prepare_decision(
            project=project,
            by=agent,
            outcome=ProjectDecisionOutcome.NON_OPPOSITION,
            motive="MOTIF-DECISION-PREPAREE : projet conforme au PRS.",
        )
    w.objects["health_project"] = HealthProject.objects.get(pk=project.pk)
    document = RenderedDocument.objects.get(kind=DocumentKind.HEALTH_PROJECT, version__number=2)
    w.objects["health_project_document"] = document_render_now(document_id=document.pk)
