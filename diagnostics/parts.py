"""Which part a person plays on a CPTS's dossiers: the one answer that diagnostics, governance, missions, funding
and projects ask (issue 13, points 2 and 3).

A part (``Actor``) follows from three things:

- the person's active memberships (``accounts.selectors.membership_list_for_user``, cached for the request);
- the CPTS's area: its home region (``Organisation.region``), the region instructing its territory
  (``Territory.instructing_region``; the home region while it has no territory) and the départements its
  territory touches (``cpts_departement_ids``, cached on the CPTS instance);
- the regional settings of the stage: the desk and the reviewing organisations (``stage_circuit``), and whether the
  departmental bodies act for the whole region (``departmental_bodies_region_wide``). A dossier passes the settings
  it is judged under (frozen at its submission); otherwise the current settings of the region are read.

Acting on a dossier (``dossier_parts``, and ``dossier_parts_q`` for lists of dossiers):

- coordinator, member: a membership of the CPTS organisation with that role;
- desk, reviewer: a reviewer of the organisation that the stage's circuit names as its desk, or among its reviewing
  organisations (a COPIL member is both); an agent (or decider) of another body the circuit names as a reviewer
  (the health project's DD, CPAM or CGSS, MSA, ELSM) is a reviewer too;
- ARS, ARS decider: an agent or a decider of the ARS of the region that instructs the dossier (a decider signs);
- ARS DD: an agent of a departmental delegation of that region whose département the CPTS's territory touches;
- health insurance: the CGSS of that region, a CPAM of that region whose département the territory touches;
- a departmental delegation and a CPAM act for every CPTS of the region when the settings say
  ``departmental_bodies_region_wide`` (default: their own département(s) only, issue 13 point 3);
- administrator: a platform administrator.

Seeing a CPTS (``sees_cpts`` and ``seen_cpts_q``: its governance pages, its territory and its diagnostic). The rule
(issue 13, point 2; before, governance read either region and the territory only the instructing one): a member
of a reviewing body (Guichet, URPS, COPIL, ARS, ARS DD, CPAM, CGSS, MSA, ELSM) of the CPTS's home region OR of the
region instructing its territory sees both its governance pages and its territory. The home region's bodies know
the CPTS and meet it; the instructing region's bodies instruct its dossiers; a territory crossing a border must not
hide the CPTS from either. Departmental bodies (ARS DD, CPAM, ELSM) see only a CPTS whose territory touches their
département, unless the current settings of their region say region-wide. The territory and the diagnostic
moreover wait for the first deposit of a letter (``deposited_only``: drafts stay private); the governance pages do
not (the Guichet accompanies a CPTS before its letter).

The CPTS's stage (``CptsStage``) is written by the dossiers' engine (projects, a layer above) through
``cpts_stage_record`` and read here, so that diagnostics and missions need no import of projects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from django.db.models import Q
from django.utils import timezone

from accounts.choices import (
    ARS_KINDS,
    DEPARTEMENTAL_KINDS,
    HEALTH_INSURANCE_KINDS,
    REVIEW_KINDS,
    OrganisationKind,
    Role,
    Stage,
)
from accounts.models import Organisation, RegionalSettings
from accounts.selectors import is_administrator, membership_list_for_user
from cpts_portal.related import related_or_none

from .models import CptsStage, TerritoryCommune


class Actor(StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"
    DESK = "desk"
    REVIEWER = "reviewer"
    ARS = "ars"  # an agent or a decider of the ARS of the instructing region
    ARS_DECIDER = "ars_decider"  # a decider of that ARS: signs the decision
    ARS_DD = "ars_dd"  # a departmental delegation of that ARS, for the CPTS of its area
    HEALTH_INSURANCE = "health_insurance"  # the CPAM / CGSS of the CPTS's area
    ADMINISTRATOR = "administrator"


ACTOR_LABELS = {
    Actor.COORDINATOR: "la coordination de la CPTS",
    Actor.MEMBER: "les membres de la CPTS",
    Actor.DESK: "le guichet ou comité qui reçoit le dossier",
    Actor.REVIEWER: "les organisations qui rendent un avis",
    Actor.ARS: "l'ARS de la région",
    Actor.ARS_DECIDER: "un décideur de l'ARS de la région",
    Actor.ARS_DD: "la délégation départementale de l'ARS",
    Actor.HEALTH_INSURANCE: "l'Assurance Maladie du territoire de la CPTS",
    Actor.ADMINISTRATOR: "l'administration de la plateforme",
}

CPTS_ACTORS = frozenset({Actor.COORDINATOR, Actor.MEMBER})
REVIEWING_ACTORS = frozenset({Actor.DESK, Actor.REVIEWER, Actor.ARS, Actor.ARS_DECIDER, Actor.ARS_DD})
NOBODY: frozenset[Actor] = frozenset()

# The bodies, other than the review bodies, that a stage's circuit may name as reviewers (the health project asks
# the departmental delegation, the CPAM or CGSS, the MSA and the ELSM), and the roles in which their people act.
CIRCUIT_BODY_KINDS = frozenset(HEALTH_INSURANCE_KINDS | {OrganisationKind.ARS_DD})
CIRCUIT_BODY_ROLES = frozenset({Role.AGENT, Role.DECIDER, Role.REVIEWER})

# The bodies that see the CPTS of their region (governance, territory): Guichet, URPS, COPIL, ARS and its
# delegations, the Assurance Maladie's funds.
SEEING_KINDS = REVIEW_KINDS | ARS_KINDS | HEALTH_INSURANCE_KINDS


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _user_cache(user) -> dict:
    """Per-request answers kept on the user object, like ``membership_list_for_user``'s."""
    cache = getattr(user, "_parts_cache", None)
    if cache is None:
        cache = user._parts_cache = {}
    return cache


# --- The CPTS's area --------------------------------------------------------------------------------------------


def cpts_instructing_region_id(cpts) -> int:
    """The region instructing the CPTS's dossiers: its territory's choice, else its own region."""
    territory = related_or_none(cpts, "territory")
    if territory is not None and territory.instructing_region_id:
        return territory.instructing_region_id
    return cpts.region_id


def cpts_region_ids(cpts) -> set[int]:
    """The CPTS's home region and the region instructing its territory (the same, most of the time)."""
    return {cpts.region_id, cpts_instructing_region_id(cpts)}


def cpts_departement_ids(cpts) -> frozenset[int]:
    """The départements the CPTS's territory touches (one query, cached on the instance)."""
    if not hasattr(cpts, "_departement_ids_cache"):
        cpts._departement_ids_cache = frozenset(
            TerritoryCommune.objects.filter(territory__cpts_id=cpts.pk, commune__departement__isnull=False)
            .values_list("commune__departement_id", flat=True)
            .distinct()
        )
    return cpts._departement_ids_cache


def departement_ids_prime(cpts_list: Iterable, *, for_user=None) -> None:
    """Load ``cpts_departement_ids`` of many CPTS in one query (lists that ask the parts row by row). With
    ``for_user``, only when that person belongs to a departmental body (the only parts that read the area)."""
    if for_user is not None and not any(_is_departmental(m.organisation) for m in membership_list_for_user(for_user)):
        return
    pending = {c.pk: c for c in cpts_list if not hasattr(c, "_departement_ids_cache")}
    if not pending:
        return
    found: dict[int, set[int]] = {pk: set() for pk in pending}
    rows = (
        TerritoryCommune.objects.filter(territory__cpts_id__in=list(pending), commune__departement__isnull=False)
        .values_list("territory__cpts_id", "commune__departement_id")
        .distinct()
    )
    for cpts_id, departement_id in rows:
        found[cpts_id].add(departement_id)
    for pk, cpts in pending.items():
        cpts._departement_ids_cache = frozenset(found[pk])


def touches_departements_q(departement_ids: Iterable[int], *, cpts_field: str = "pk") -> Q:
    """The rows whose CPTS (``cpts_field``: ``"pk"`` on an ``Organisation``, ``"cpts_id"`` on a dossier) has a
    territory touching one of ``departement_ids``."""
    cpts_ids = TerritoryCommune.objects.filter(commune__departement_id__in=list(departement_ids)).values(
        "territory__cpts_id"
    )
    return Q(**{f"{cpts_field}__in": cpts_ids})


# --- The regional settings of a stage ---------------------------------------------------------------------------


def stage_circuit(settings, stage: str = Stage.LETTER) -> tuple[int | None, set[int]]:
    """(desk id, reviewing organisation ids) of one stage in these settings; (None, set()) without settings.

    The one read of the desk and the reviewers (``RegionalSettings.circuit``); prefetch the settings' circuits
    (``accounts.models.circuits_prefetch``) so that it costs no query."""
    circuit = settings.circuit(stage) if settings is not None else None
    if circuit is None:
        return None, set()
    return circuit.desk_id, {o.pk for o in circuit.reviewers.all()}


def stage_circuit_q(organisation_ids: Iterable[int], stage: str = Stage.LETTER, *, settings_field: str) -> Q:
    """The dossiers whose settings (``settings_field``) name one of ``organisation_ids`` as desk or reviewer."""
    ids = list(organisation_ids)
    circuit = f"{settings_field}__circuits"
    # Both conditions sit in the one filter the caller builds, so the stage and the organisation are read on the
    # same circuit row.
    return Q(**{f"{circuit}__stage": stage, f"{circuit}__desk_id__in": ids}) | Q(
        **{f"{circuit}__stage": stage, f"{circuit}__reviewers__in": ids}
    )


def region_wide(settings) -> bool:
    """Whether the departmental bodies (ARS DD, CPAM) act for every CPTS of the region under these settings."""
    return bool(settings is not None and settings.departmental_bodies_region_wide)


def region_wide_region_ids(region_ids: Iterable[int], *, on: dt.date | None = None) -> set[int]:
    """Among ``region_ids``, those whose settings in force say region-wide (one query)."""
    region_ids = set(region_ids)
    if not region_ids:
        return set()
    on = on or timezone.localdate()
    latest: dict[int, bool] = {}
    rows = (
        RegionalSettings.objects.filter(region_id__in=region_ids, valid_from__lte=on)
        .order_by("region_id", "-valid_from")
        .values_list("region_id", "departmental_bodies_region_wide")
    )
    for region_id, wide in rows:
        latest.setdefault(region_id, wide)
    return {region_id for region_id, wide in latest.items() if wide}


def _region_wide_for_user(user) -> set[int]:
    """The regions, among those of the person's departmental bodies, whose current settings say region-wide."""
    cache = _user_cache(user)
    if "region_wide" not in cache:
        regions = {m.organisation.region_id for m in membership_list_for_user(user) if _is_departmental(m.organisation)}
        cache["region_wide"] = region_wide_region_ids(regions)
    return cache["region_wide"]


def _is_departmental(org) -> bool:
    return org.kind in DEPARTEMENTAL_KINDS


# --- Acting on one dossier --------------------------------------------------------------------------------------


def _acts_in_area(org, cpts, region_id: int, settings) -> bool:
    """A departmental body (ARS DD, CPAM) of the instructing region acts for the CPTS of its département, or for
    the whole region when the settings say so (``settings``: a zero-argument callable)."""
    if org.region_id != region_id:
        return False
    if region_wide(settings()):
        return True
    return org.departement_id is not None and org.departement_id in cpts_departement_ids(cpts)


def _lazy(value):
    """``region_id`` and ``settings`` may be given as zero-argument callables, read only when a membership needs
    them (a CPTS's coordinator costs no settings query)."""
    if not callable(value):
        return lambda: value
    cache: list = []

    def read():
        if not cache:
            cache.append(value())
        return cache[0]

    return read


def dossier_parts(user, cpts, *, region_id, settings, stage: str = Stage.LETTER) -> frozenset[Actor]:
    """The parts a person plays on a dossier of ``cpts`` instructed by ``region_id`` under ``settings`` (values, or
    zero-argument callables read when needed)."""
    if not _authenticated(user):
        return NOBODY
    region_id, settings = _lazy(region_id), _lazy(settings)
    parts = set()
    if is_administrator(user):
        parts.add(Actor.ADMINISTRATOR)
    circuit = None
    for m in membership_list_for_user(user):
        org = m.organisation
        if org.pk == cpts.pk:
            if m.role == Role.COORDINATOR:
                parts.add(Actor.COORDINATOR)
            elif m.role == Role.MEMBER:
                parts.add(Actor.MEMBER)
        elif org.kind in REVIEW_KINDS:
            if m.role != Role.REVIEWER:
                continue
            circuit = circuit or stage_circuit(settings(), stage)
            desk_id, reviewer_ids = circuit
            if org.pk == desk_id:
                parts.add(Actor.DESK)
            if org.pk in reviewer_ids:
                parts.add(Actor.REVIEWER)
        elif org.kind == OrganisationKind.ARS:
            if org.region_id == region_id() and m.role in (Role.AGENT, Role.DECIDER):
                parts.add(Actor.ARS)
                if m.role == Role.DECIDER:
                    parts.add(Actor.ARS_DECIDER)
        elif org.kind == OrganisationKind.ARS_DD:
            if _acts_in_area(org, cpts, region_id(), settings):
                parts.add(Actor.ARS_DD)
        elif org.kind == OrganisationKind.CGSS:
            if org.region_id == region_id():
                parts.add(Actor.HEALTH_INSURANCE)
        elif org.kind == OrganisationKind.CPAM:
            if _acts_in_area(org, cpts, region_id(), settings):
                parts.add(Actor.HEALTH_INSURANCE)
        if org.kind in CIRCUIT_BODY_KINDS and m.role in CIRCUIT_BODY_ROLES:
            # The health project's circuit asks bodies that are not review bodies (the DD, the CPAM or CGSS, the
            # MSA, the ELSM): their agents give their organisation's opinion.
            circuit = circuit or stage_circuit(settings(), stage)
            if org.pk in circuit[1]:
                parts.add(Actor.REVIEWER)
    return frozenset(parts)


def acting_organisation(user, cpts, actors: frozenset, *, region_id, settings, stage: str = Stage.LETTER):
    """The organisation in whose name a person acts with one of ``actors`` on a dossier of ``cpts`` (the first
    found: desk, ARS, departmental delegation, CPTS, reviewer, health insurance), or None."""
    region_id, settings = _lazy(region_id)(), _lazy(settings)
    desk_id, reviewer_ids = stage_circuit(settings(), stage)
    for m in membership_list_for_user(user):
        org = m.organisation
        if Actor.DESK in actors and desk_id is not None and org.pk == desk_id and m.role == Role.REVIEWER:
            return org
        if actors & {Actor.ARS, Actor.ARS_DECIDER} and org.kind == OrganisationKind.ARS and org.region_id == region_id:
            return org
        if (
            Actor.ARS_DD in actors
            and org.kind == OrganisationKind.ARS_DD
            and _acts_in_area(org, cpts, region_id, settings)
        ):
            return org
        if actors & CPTS_ACTORS and org.pk == cpts.pk:
            return org
        if (
            Actor.REVIEWER in actors
            and org.pk in reviewer_ids
            and (m.role == Role.REVIEWER or (org.kind in CIRCUIT_BODY_KINDS and m.role in CIRCUIT_BODY_ROLES))
        ):
            return org
        if Actor.HEALTH_INSURANCE in actors and (
            (org.kind == OrganisationKind.CGSS and org.region_id == region_id)
            or (org.kind == OrganisationKind.CPAM and _acts_in_area(org, cpts, region_id, settings))
        ):
            return org
    return None


def dossier_parts_q(
    user,
    actors: frozenset,
    *,
    stage: str = Stage.LETTER,
    cpts_field: str = "cpts_id",
    region_field: str = "instructing_region_id",
    settings_field: str = "regional_settings",
) -> Q:
    """The dossiers (rows of one dossier model) on which a person plays one of ``actors``: the rule of
    ``dossier_parts`` as a filter, read on the dossier's frozen region (``region_field``) and settings
    (``settings_field``). Administrators are not covered (they see every dossier: callers skip the filter)."""
    q = Q(pk__in=[])
    if not _authenticated(user):
        return q
    cpts_ids: dict[str, set[int]] = {Role.COORDINATOR: set(), Role.MEMBER: set()}
    circuit_ids, body_ids, ars_regions, decider_regions, cgss_regions = set(), set(), set(), set(), set()
    dd, cpam = [], []
    for m in membership_list_for_user(user):
        org = m.organisation
        if org.kind in CIRCUIT_BODY_KINDS and m.role in CIRCUIT_BODY_ROLES:
            body_ids.add(org.pk)  # besides what the body sees in its own right (below)
        if org.kind == OrganisationKind.CPTS and m.role in cpts_ids:
            cpts_ids[m.role].add(org.pk)
        elif org.kind in REVIEW_KINDS and m.role == Role.REVIEWER:
            circuit_ids.add(org.pk)
        elif org.kind == OrganisationKind.ARS and m.role in (Role.AGENT, Role.DECIDER):
            ars_regions.add(org.region_id)
            if m.role == Role.DECIDER:
                decider_regions.add(org.region_id)
        elif org.kind == OrganisationKind.ARS_DD:
            dd.append(org)
        elif org.kind == OrganisationKind.CGSS:
            cgss_regions.add(org.region_id)
        elif org.kind == OrganisationKind.CPAM:
            cpam.append(org)

    def area_q(bodies) -> Q:
        found = Q(pk__in=[])
        for org in bodies:
            inside = (
                Q(**{f"{settings_field}__departmental_bodies_region_wide": True})
                if org.departement_id is None
                else Q(**{f"{settings_field}__departmental_bodies_region_wide": True})
                | touches_departements_q([org.departement_id], cpts_field=cpts_field)
            )
            found |= Q(**{region_field: org.region_id}) & inside
        return found

    if Actor.COORDINATOR in actors and cpts_ids[Role.COORDINATOR]:
        q |= Q(**{f"{cpts_field}__in": cpts_ids[Role.COORDINATOR]})
    if Actor.MEMBER in actors and cpts_ids[Role.MEMBER]:
        q |= Q(**{f"{cpts_field}__in": cpts_ids[Role.MEMBER]})
    if actors & {Actor.DESK, Actor.REVIEWER} and circuit_ids:
        q |= stage_circuit_q(circuit_ids, stage, settings_field=settings_field)
    if Actor.REVIEWER in actors and body_ids:
        q |= Q(**{f"{settings_field}__circuits__stage": stage, f"{settings_field}__circuits__reviewers__in": body_ids})
    if Actor.ARS in actors and ars_regions:
        q |= Q(**{f"{region_field}__in": ars_regions})
    if Actor.ARS_DECIDER in actors and decider_regions:
        q |= Q(**{f"{region_field}__in": decider_regions})
    if Actor.ARS_DD in actors and dd:
        q |= area_q(dd)
    if Actor.HEALTH_INSURANCE in actors:
        if cgss_regions:
            q |= Q(**{f"{region_field}__in": cgss_regions})
        if cpam:
            q |= area_q(cpam)
    return q


# --- Seeing a CPTS (governance pages, territory, diagnostic) ----------------------------------------------------


def seen_cpts_q(user, *, deposited_only: bool) -> Q:
    """The CPTS (``Organisation`` rows) that a person sees as a member of a reviewing body (see the module's rule):
    of the CPTS's home region or of the region instructing its territory; a departmental body within its
    département unless its region's settings say region-wide; with ``deposited_only``, once a letter was deposited.
    The CPTS's own people and administrators are the callers' business."""
    regional: set[int] = set()
    departemental: dict[int, set[int]] = {}
    for m in membership_list_for_user(user):
        org = m.organisation
        if org.kind not in SEEING_KINDS:
            continue
        if _is_departmental(org) and org.region_id not in _region_wide_for_user(user):
            if org.departement_id is not None:
                departemental.setdefault(org.region_id, set()).add(org.departement_id)
        else:
            regional.add(org.region_id)
    q = Q(pk__in=[])
    if regional:
        q |= Q(region_id__in=regional) | Q(territory__instructing_region_id__in=regional)
    for region_id, departement_ids in departemental.items():
        in_region = Q(region_id=region_id) | Q(territory__instructing_region_id=region_id)
        q |= in_region & touches_departements_q(departement_ids)
    if deposited_only:
        q &= Q(stage_record__letter_submitted_once=True)
    return q


def sees_cpts(user, cpts, *, deposited_only: bool) -> bool:
    """``seen_cpts_q`` for one CPTS (one query, cached for the request; none for who belongs to no reviewing body)."""
    if not _authenticated(user):
        return False
    if not any(m.organisation.kind in SEEING_KINDS for m in membership_list_for_user(user)):
        return False
    cache = _user_cache(user).setdefault("sees", {})
    key = (cpts.pk, deposited_only)
    if key not in cache:
        cache[key] = Organisation.objects.filter(seen_cpts_q(user, deposited_only=deposited_only), pk=cpts.pk).exists()
    return cache[key]


def cpts_roles(user, cpts) -> set[str]:
    """The person's roles in the CPTS organisation itself (coordinator, member)."""
    return {m.role for m in membership_list_for_user(user) if m.organisation_id == cpts.pk}


# --- The CPTS's stage, kept by the dossiers' engine -------------------------------------------------------------


def cpts_stage(cpts) -> CptsStage:
    """Where the CPTS stands (an unsaved empty record when no dossier was ever recorded), cached on the instance."""
    record = related_or_none(cpts, "stage_record")
    return record if record is not None else CptsStage(cpts_id=cpts.pk)


def cpts_stage_record(
    cpts,
    *,
    stage: str,
    status: str,
    label: str,
    submitted_once: bool,
    letter_validated: bool,
    claims_territory: bool,
    territory_lock_reason: str = "",
) -> CptsStage:
    """Record where the CPTS stands, from its latest dossier: called by the engine (projects) after each transition
    and when a dossier is opened, inside the same transaction."""
    record, _created = CptsStage.objects.update_or_create(
        cpts_id=cpts.pk,
        defaults={
            "stage": stage,
            "status": status,
            "label": label,
            "letter_submitted_once": submitted_once,
            "letter_validated": letter_validated,
            "claims_territory": claims_territory,
            "territory_lock_reason": territory_lock_reason,
        },
    )
    # The instance asked later in the request reads the new record, not a stale cached one.
    cpts._state.fields_cache["stage_record"] = record
    return record


def cpts_stage_labels(cpts_ids: Iterable[int]) -> dict[int, str]:
    """How each CPTS's latest dossier reads ("lettre d'intention validée"); absent when none was recorded."""
    return dict(CptsStage.objects.filter(cpts_id__in=list(cpts_ids)).exclude(label="").values_list("cpts_id", "label"))


def cpts_engaged_ids(cpts_ids: Iterable[int]) -> set[int]:
    """The CPTS whose territory counts against others' (their latest dossier is in review or validated)."""
    return set(
        CptsStage.objects.filter(cpts_id__in=list(cpts_ids), claims_territory=True).values_list("cpts_id", flat=True)
    )
