"""Demo content of the dossier app: a draft intention letter for the demo CPTS (idempotent)."""

from accounts.choices import Role
from accounts.models import Membership

from .choices import CarryingStage, LegalForm
from .models import CarryingStructure, IntentionLetter, LetterProfession, LetterTeamMember


def seed_letters_demo(cpts) -> IntentionLetter | None:
    """A draft half written by the pilot group, so the completeness panel has something to say."""
    if IntentionLetter.objects.filter(cpts=cpts).exists():
        return None
    coordinator = Membership.objects.filter(organisation=cpts, role=Role.COORDINATOR).select_related("user").first()
    structure, _created = CarryingStructure.objects.get_or_create(
        cpts=cpts,
        stage=CarryingStage.LETTER,
        defaults={
            "legal_form": LegalForm.PREFIGURATION,
            "name": "Association de préfiguration de la CPTS du Lauragais",
        },
    )
    letter = IntentionLetter.objects.create(
        cpts=cpts,
        carrying_structure=structure,
        pilot_name=coordinator.user.get_full_name() if coordinator else "",
        pilot_profession="Médecin généraliste",
        contact_email=coordinator.user.email if coordinator else "",
        needs="Près d'un patient en ALD sur huit sans médecin traitant ; des passages aux urgences évitables "
        "le week-end ; peu de coordination avec l'hôpital de proximité.",
        information_actions="Questionnaire envoyé avec l'URPS Médecins aux 180 professionnels du territoire, "
        "deux réunions publiques.",
        project_description="Une CPTS rurale qui organise l'accès à un médecin traitant et aux soins non "
        "programmés, puis des parcours autour des personnes âgées.",
        commits_access=True,
        commits_pathways=True,
    )
    LetterTeamMember.objects.create(
        letter=letter, name="Camille Coordinatrice", profession="Médecin", team_role="Pilote"
    )
    LetterProfession.objects.create(letter=letter, profession="Médecins généralistes", count=14)
    LetterProfession.objects.create(letter=letter, profession="Infirmiers", count=22)
    return letter
