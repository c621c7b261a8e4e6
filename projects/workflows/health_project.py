"""The lifecycle of the health project (issue 16), read in one place: the second definition of the engine.

- parts (``diagnostics.parts.dossier_parts`` under ``Stage.HEALTH_PROJECT``): the CPTS's coordinators and members;
  the ARS of the instructing region (agents instruct, deciders sign); the organisations the region's health
  project circuit asks for an opinion (the DD, the CPAM or CGSS, the MSA, the Inter-URPS, the ELSM: ``REVIEWER``);
- ``STATE_RULES``: for every ``HealthProjectStatus``, who views, edits, gives an opinion, and its label per audience;
- ``TRANSITION_RULES``: who fires which django-fsm-2 method of ``HealthProject`` from which status; guards in
  ``GUARDS`` (French reasons); the services are in ``health_project_services``.

Choices made where the seeds are silent:
- the coordinators (not the members) validate the project internally, put it to the members' signature, deposit
  it, revise it after an opposition: they answer for the CPTS; the members read it and sign it;
- the ARS is the desk of the health project: its agents ask for complements, complete the grid (the consolidated
  opinion) and prepare the decision; only a decider signs it (non-opposition or opposition);
- the tacit validation is fired by the periodic scan (``health_projects_scan``), never by a person;
- a reviewing organisation reads the project from its first deposit on; a draft stays the CPTS's.
"""

import datetime as dt

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind, Role, Stage
from accounts.models import circuits_prefetch
from accounts.selectors import regional_settings_for
from diagnostics.parts import (
    acting_organisation,
    cpts_instructing_region_id,
    cpts_stage_record,
    departement_ids_prime,
    dossier_parts,
    dossier_parts_q,
    stage_circuit,
)
from funding.choices import BudgetStatus
from governance.calculations import quorum_met, signatures_needed
from governance.models import SignatureRound
from governance.selectors import signature_round_current, signature_round_status
from missions.choices import PlanStatus

from ..calculations import data_sha256
from ..choices import EventType, HealthProjectStatus
from ..models import ExpectedOpinion, HealthProject
from ..selectors.health_project import HealthProjectPage, health_project_page, health_project_snapshot
from ..selectors.letters import opinion_counter
from .engine import (
    COORDINATOR_ONLY,
    CPTS_ACTORS,
    EVERYONE,
    NOBODY,
    Actor,
    AwaitingItem,
    Definition,
    StateRule,
    TransitionRule,
)

S = HealthProjectStatus
READERS = EVERYONE | {Actor.HEALTH_INSURANCE}
ARS_AGENTS = frozenset({Actor.ARS})
DECIDERS = frozenset({Actor.ARS_DECIDER})
# Who gives an opinion on a deposited project: each organisation of the circuit, and the ARS's consolidated grid.
OPINION_GIVERS = frozenset({Actor.REVIEWER, Actor.ARS})

STATE_RULES: dict[str, StateRule] = {
    S.DRAFT: StateRule(
        view=CPTS_ACTORS | {Actor.ADMINISTRATOR},
        edit=COORDINATOR_ONLY,
        opinion=NOBODY,
        labels={"cpts": "En rédaction", "reviewer": "En rédaction", "ars": "En rédaction"},
        claims_territory=True,
        territory_locked=True,
    ),
    S.SIGNING: StateRule(
        view=CPTS_ACTORS | {Actor.ADMINISTRATOR},
        # A change after the signatures starts a new version to sign (the deposit checks the fingerprint).
        edit=COORDINATOR_ONLY,
        opinion=NOBODY,
        labels={
            "cpts": "Validé en interne : signatures des membres en cours",
            "reviewer": "En rédaction",
            "ars": "En rédaction",
        },
        claims_territory=True,
        territory_locked=True,
        todo="Recueillir les signatures des membres et déposer le projet à l'ARS",
    ),
    S.DEPOSITED: StateRule(
        view=READERS,
        edit=NOBODY,
        opinion=OPINION_GIVERS,
        labels={
            "cpts": "Déposé à l'ARS : en cours d'examen",
            "reviewer": "Avis attendus",
            "ars": "Déposé : à instruire (délai de 2 mois)",
        },
        claims_territory=True,
        territory_locked=True,
    ),
    S.COMPLEMENTS_REQUESTED: StateRule(
        view=READERS,
        edit=COORDINATOR_ONLY,
        opinion=NOBODY,
        labels={
            "cpts": "Compléments demandés : à compléter",
            "reviewer": "En attente des compléments",
            "ars": "En attente des compléments",
        },
        claims_territory=True,
        territory_locked=True,
        todo="Apporter les compléments demandés, remettre le projet en signature et le redéposer",
    ),
    S.VALIDATED: StateRule(
        view=READERS,
        edit=NOBODY,
        opinion=NOBODY,
        labels={"cpts": "Validé (non-opposition)", "reviewer": "Validé", "ars": "Validé (non-opposition signée)"},
        claims_territory=True,
        territory_locked=True,
    ),
    S.VALIDATED_TACITLY: StateRule(
        view=READERS,
        edit=NOBODY,
        opinion=NOBODY,
        labels={
            "cpts": "Validé tacitement",
            "reviewer": "Validé tacitement",
            "ars": "Validé tacitement (sans décision dans le délai)",
        },
        claims_territory=True,
        territory_locked=True,
    ),
    S.OPPOSED: StateRule(
        view=READERS,
        edit=NOBODY,
        opinion=NOBODY,
        labels={"cpts": "Opposition de l'ARS", "reviewer": "Opposition de l'ARS", "ars": "Opposition signée"},
        claims_territory=True,
        territory_locked=True,
    ),
}


TRANSITION_RULES: dict[str, TransitionRule] = {
    "approve": TransitionRule(
        label="Valider en interne et mettre en signature",
        actors={S.DRAFT: COORDINATOR_ONLY, S.COMPLEMENTS_REQUESTED: COORDINATOR_ONLY},
        done_label="Projet validé en interne et mis en signature",
        todo={Actor.COORDINATOR: "Valider le projet en interne et le mettre en signature"},
    ),
    "reopen": TransitionRule(
        label="Reprendre la rédaction",
        actors={S.SIGNING: COORDINATOR_ONLY},
        style="outline-secondary",
    ),
    "deposit": TransitionRule(
        label="Déposer le projet de santé à l'ARS",
        actors={S.SIGNING: COORDINATOR_ONLY},
        style="success",
        done_label="Projet de santé déposé à l'ARS",
        todo={Actor.COORDINATOR: "Déposer le projet de santé à l'ARS"},
    ),
    "request_complements": TransitionRule(
        label="Demander des compléments",
        actors={S.DEPOSITED: ARS_AGENTS},
        style="outline-warning",
        comment_label="Ce qui est attendu",
    ),
    "prepare_decision": TransitionRule(
        label="Préparer la décision",
        actors={S.DEPOSITED: ARS_AGENTS},
        done_label="Décision préparée pour signature",
        todo={Actor.ARS: "Compléter la grille d'analyse et préparer la décision"},
    ),
    "validate": TransitionRule(
        label="Signer la non-opposition",
        actors={S.DEPOSITED: DECIDERS},
        style="success",
        done_label="Décision signée : non-opposition, projet validé",
        todo={Actor.ARS_DECIDER: "Signer la décision sur le projet de santé"},
    ),
    "oppose": TransitionRule(
        label="Signer l'opposition",
        actors={S.DEPOSITED: DECIDERS},
        style="outline-danger",
        done_label="Décision signée : opposition au projet",
    ),
    # No person fires it: the periodic scan does, once the date passes without a decision (``system=True``).
    "validate_tacitly": TransitionRule(
        label="Validation tacite",
        actors={S.DEPOSITED: NOBODY},
        done_label="Validé tacitement : 2 mois sans décision de l'ARS",
    ),
    "revise": TransitionRule(
        label="Réviser le projet après l'opposition",
        actors={S.OPPOSED: COORDINATOR_ONLY},
        style="outline-primary",
        todo={Actor.COORDINATOR: "Réviser le projet de santé pour le déposer à nouveau"},
    ),
}


# --- Who is who on a health project -------------------------------------------------------------------------


def project_region_id(project: HealthProject) -> int:
    """The region that instructs the project: frozen at the first deposit; before, the CPTS's territory's."""
    if project.instructing_region_id:
        return project.instructing_region_id
    return cpts_instructing_region_id(project.cpts)


def project_settings(project: HealthProject):
    """The regional settings the project is judged under (frozen at the first deposit), cached on the instance."""
    if project.regional_settings_id:
        return project.regional_settings
    cache = project.__dict__
    if "_settings_cache" not in cache:
        cache["_settings_cache"] = regional_settings_for(region=project_region_id(project), on=timezone.localdate())
    return cache["_settings_cache"]


def project_circuit(project: HealthProject):
    """The health project's circuit of those settings (desk = the ARS, reviewers, delays, grid), or None."""
    settings = project_settings(project)
    return settings.circuit(Stage.HEALTH_PROJECT) if settings is not None else None


def project_actor_roles(user, project: HealthProject) -> frozenset:
    return dossier_parts(
        user,
        project.cpts,
        region_id=lambda: project_region_id(project),
        settings=lambda: project_settings(project),
        stage=Stage.HEALTH_PROJECT,
    )


def actor_organisation(user, project: HealthProject, actors: frozenset):
    """The organisation in whose name a person acts with one of ``actors`` on this project."""
    return acting_organisation(
        user,
        project.cpts,
        actors,
        region_id=lambda: project_region_id(project),
        settings=lambda: project_settings(project),
        stage=Stage.HEALTH_PROJECT,
    )


def project_stage_record(project: HealthProject) -> None:
    """Record where the CPTS stands: its health project's status (the letter, validated, stays behind it)."""
    status_text = HealthProjectStatus(project.status).label.lower()
    cpts_stage_record(
        project.cpts,
        stage=Stage.HEALTH_PROJECT,
        status=project.status,
        label=_("projet de santé : %(status)s") % {"status": status_text},
        submitted_once=True,
        letter_validated=True,
        claims_territory=STATE_RULES[project.status].claims_territory,
        territory_lock_reason=_(
            "Le territoire est figé : la lettre d'intention est validée et le projet de santé est « %(status)s »."
        )
        % {"status": status_text},
    )


# --- Guards ---------------------------------------------------------------------------------------------------


def project_page(project: HealthProject) -> HealthProjectPage:
    """The project's sections and what each one misses, read once per instance: the page shows them and the
    internal validation's guard reads the same ones."""
    if "_page_cache" not in project.__dict__:
        project.__dict__["_page_cache"] = health_project_page(project)
    return project.__dict__["_page_cache"]


def approval_missing(project: HealthProject) -> list[str]:
    """What blocks the internal validation, in French: the completeness panel's missing items, then the plan
    validated in internal, every fiche validated by the coordination, the budget complete. Cached on the instance."""
    if "_approval_missing" in project.__dict__:
        return project.__dict__["_approval_missing"]
    reasons = []
    page = project_page(project)
    for section in page.sections:
        for item in section.missing:
            reasons.append(_("%(section)s : %(item)s") % {"section": section.title, "item": item.label})
    if (plan_page := page.plan_page) is not None:
        if plan_page.plan.status != PlanStatus.VALIDATED:
            reasons.append(_("Le plan d'actions doit être validé en interne par la coordination."))
        if not plan_page.all_validated:
            reasons.append(
                _("Chaque fiche action doit être validée par la coordination (%(done)d sur %(total)d).")
                % {"done": plan_page.validated_count, "total": plan_page.active_count}
            )
    budget = page.budget
    if budget is not None and budget.status != BudgetStatus.COMPLETE:
        reasons.append(_("Le budget doit être équilibré et marqué complet."))
    if project_circuit(project) is None:
        reasons.append(_("Aucun circuit du projet de santé n'est paramétré pour votre région."))
    project.__dict__["_approval_missing"] = reasons = list(dict.fromkeys(reasons))
    return reasons


def project_fingerprint(project: HealthProject, *, on: dt.date) -> tuple[dict, str]:
    """The project frozen as of ``on`` and its SHA-256: what the members sign and what the deposit compares (the
    snapshot names the day its members are counted on, so a round is compared as of the day it opened).
    Cached on the instance."""
    cache = project.__dict__.setdefault("_fingerprint_cache", {})
    if on not in cache:
        data = health_project_snapshot(project, on=on)
        cache[on] = (data, data_sha256(data))
    return cache[on]


def round_day(signature_round: SignatureRound) -> dt.date:
    return timezone.localdate(signature_round.opened_at)


def deposit_missing(project: HealthProject) -> list[str]:
    """What blocks the deposit, in French: a version put to signature, unchanged since, signed as the region asks."""
    signature_round = signature_round_current(project)
    if signature_round is None:
        return [_("Le projet n'a pas été mis en signature : validez-le en interne d'abord.")]
    _data, sha = project_fingerprint(project, on=round_day(signature_round))
    if sha != signature_round.sha256:
        return [_("Le projet a changé depuis sa mise en signature : remettez-le en signature.")]
    settings = project_settings(project)
    if settings is None:
        return [_("Aucun circuit du projet de santé n'est paramétré pour votre région.")]
    status = signature_round_status(signature_round)
    rule, percent = settings.signature_rule, settings.signature_quorum_percent
    if not quorum_met(status.signed_count, status.total, rule=rule, percent=percent):
        return [
            _(
                "Signatures insuffisantes : %(signed)d membre(s) sur %(total)d ont signé la version %(round)d, "
                "il en faut %(needed)d (règle de la région : %(rule)s)."
            )
            % {
                "signed": status.signed_count,
                "total": status.total,
                "round": signature_round.number,
                "needed": signatures_needed(max(status.total, 1), rule=rule, percent=percent),
                "rule": settings.get_signature_rule_display().lower(),
            }
        ]
    return []


GUARDS = {"approve": approval_missing, "deposit": deposit_missing}


def _people_q(project: HealthProject, actors: frozenset, payload: dict) -> Q:
    """The memberships of the people who play ``actors`` on this project (notification recipients)."""
    q = Q(pk__in=[])
    if Actor.COORDINATOR in actors:
        q |= Q(organisation_id=project.cpts_id, role=Role.COORDINATOR)
    if Actor.MEMBER in actors:
        q |= Q(organisation_id=project.cpts_id, role=Role.MEMBER)
    if Actor.REVIEWER in actors:
        org_ids = payload.get("organisation_ids") or stage_circuit(project_settings(project), Stage.HEALTH_PROJECT)[1]
        q |= Q(organisation_id__in=list(org_ids), role__in=[Role.REVIEWER, Role.AGENT, Role.DECIDER])
    ars = Q(organisation__kind=OrganisationKind.ARS, organisation__region_id=project_region_id(project))
    if Actor.ARS in actors:
        q |= ars & Q(role__in=[Role.AGENT, Role.DECIDER])
    elif Actor.ARS_DECIDER in actors:
        q |= ars & Q(role=Role.DECIDER)
    return q


# --- What awaits whom ---------------------------------------------------------------------------------------------


def project_awaiting_dossiers(user) -> list[HealthProject]:
    """The health projects a person plays a part on, with what "ce qui m'attend" reads prefetched."""
    actors = frozenset({Actor.COORDINATOR, Actor.MEMBER, Actor.REVIEWER, Actor.ARS, Actor.ARS_DECIDER})
    q = dossier_parts_q(user, actors, stage=Stage.HEALTH_PROJECT)
    projects = list(
        HealthProject.objects.filter(pk__in=HealthProject.objects.filter(q).values("pk"))
        .select_related("cpts__region", "regional_settings", "instructing_region")
        .prefetch_related(
            circuits_prefetch("regional_settings__"),
            Prefetch("expected_opinions", queryset=ExpectedOpinion.objects.select_related("organisation")),
        )
        .order_by("-updated_at")
    )
    departement_ids_prime([p.cpts for p in projects], for_user=user)
    return projects


def project_more_awaiting(user, project: HealthProject, roles: frozenset, today) -> list:
    """Once the project is validated (express or tacit), the ACI contract's preparation opens for the CPTS."""
    if not project.is_validated or not roles & CPTS_ACTORS:
        return []
    return [
        (
            "cpts",
            AwaitingItem(
                project,
                _("Préparer le contrat ACI (projet de santé validé)"),
                url=reverse("projects:health_project_detail", args=[project.cpts_id]),
            ),
        )
    ]


# --- Who is told what (notifications) ---------------------------------------------------------------------------

CPTS_PEOPLE = frozenset({Actor.COORDINATOR, Actor.MEMBER})

PROJECT_RECIPIENTS: dict[str, frozenset] = {
    # The members are told the version they must sign (their link comes by e-mail from governance).
    EventType.PROJECT_SIGNATURES_OPENED: CPTS_PEOPLE,
    EventType.PROJECT_DEPOSITED: frozenset({Actor.ARS, Actor.REVIEWER, Actor.COORDINATOR}),
    EventType.PROJECT_OPINION_GIVEN: ARS_AGENTS,
    EventType.PROJECT_COMPLEMENTS_REQUESTED: frozenset({Actor.COORDINATOR, Actor.MEMBER, Actor.REVIEWER}),
    EventType.PROJECT_DECISION_PREPARED: DECIDERS,
    EventType.PROJECT_VALIDATED: frozenset({Actor.COORDINATOR, Actor.MEMBER, Actor.REVIEWER}),
    EventType.PROJECT_VALIDATED_TACITLY: frozenset({Actor.COORDINATOR, Actor.MEMBER, Actor.REVIEWER, Actor.ARS}),
    EventType.PROJECT_OPPOSED: frozenset({Actor.COORDINATOR, Actor.MEMBER, Actor.REVIEWER}),
    EventType.PROJECT_TACIT_APPROACHING: ARS_AGENTS,
    EventType.OPINION_LATE: frozenset({Actor.REVIEWER, Actor.ARS}),
}

PROJECT_MESSAGES: dict[str, str] = {
    EventType.PROJECT_SIGNATURES_OPENED: "Le projet de santé de %(cpts)s est validé en interne : chaque membre est "
    "invité à signer la version %(round)s.",
    EventType.PROJECT_DEPOSITED: "Le projet de santé de %(cpts)s a été déposé à l'ARS (version %(version)s) ; "
    "sans décision, il sera validé tacitement le %(tacit_on)s.",
    EventType.PROJECT_OPINION_GIVEN: "%(organisation)s a rendu son avis (%(overall)s) sur le projet de santé de "
    "%(cpts)s (version %(version)s).",
    EventType.PROJECT_COMPLEMENTS_REQUESTED: "L'ARS demande des compléments sur le projet de santé de %(cpts)s "
    "(motif : %(reason)s). %(clock)s",
    EventType.PROJECT_DECISION_PREPARED: "Une décision (%(outcome)s) sur le projet de santé de %(cpts)s est prête "
    "à être signée.",
    EventType.PROJECT_VALIDATED: "Le projet de santé de %(cpts)s est validé (non-opposition de l'ARS) : la CPTS "
    "est reconnue et la préparation du contrat ACI s'ouvre.",
    EventType.PROJECT_VALIDATED_TACITLY: "Le projet de santé de %(cpts)s est validé tacitement le %(tacit_on)s "
    "(aucune décision de l'ARS dans le délai) : la CPTS est reconnue et la préparation du contrat ACI s'ouvre.",
    EventType.PROJECT_OPPOSED: "L'ARS s'oppose au projet de santé de %(cpts)s (%(ground)s).",
    EventType.PROJECT_TACIT_APPROACHING: "Sans décision, le projet de santé de %(cpts)s sera validé tacitement le "
    "%(tacit_on)s (dans %(days)s jours).",
    EventType.OPINION_LATE: "L'avis de %(organisation)s sur le projet de santé de %(cpts)s est en retard.",
}


HEALTH_PROJECT = Definition(
    model=HealthProject,
    noun="le projet de santé",
    status_choices=HealthProjectStatus,
    state_rules=STATE_RULES,
    transition_rules=TRANSITION_RULES,
    roles=project_actor_roles,
    guards=GUARDS,
    lock_related=("cpts__region", "regional_settings", "instructing_region"),
    caches=("_settings_cache", "_approval_missing", "_page_cache"),
    people_q=_people_q,
    organisation_of=actor_organisation,
    recipients=PROJECT_RECIPIENTS,
    messages=PROJECT_MESSAGES,
    detail_url="projects:health_project_detail",
    detail_args=lambda project: [project.cpts_id],
    awaiting_dossiers=project_awaiting_dossiers,
    counter=opinion_counter,
    more_awaiting=project_more_awaiting,
    record_stage=project_stage_record,
)
