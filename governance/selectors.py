"""Reads about a CPTS's organisation: member lists, the counts the dossiers need, bodies, partners, documents.

Access rules live in ``permissions.py``; these functions are called once a view has checked them. Each list
loads its related rows up front so that a page costs a fixed number of queries whatever the CPTS's size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from accounts.selectors import is_administrator, membership_list_for_user
from diagnostics.models import TerritoryCommune
from diagnostics.parts import seen_cpts_q

from .calculations import (
    CategoryCount,
    MemberSpan,
    ThresholdResult,
    counts_by_category,
    threshold_result,
)
from .choices import BUREAU_REQUIRED_ROLES, BodyKind, DocumentKind, InclusionActionKind, MandateRole, MemberNature
from .models import (
    Body,
    GovernanceDocument,
    InclusionAction,
    Mandate,
    Member,
    MemberCategory,
    MemberInvitation,
    Partner,
    Profession,
    Referent,
    Signature,
    SignatureRound,
    StructureType,
)


def cpts_queryset() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.CPTS).select_related("region")


def cpts_list_visible_to(user) -> QuerySet[Organisation]:
    """The CPTS whose organisation a person may see (same rule as ``permissions.can_view_governance``: their own,
    and those their reviewing bodies see, ``diagnostics.parts.seen_cpts_q``)."""
    qs = cpts_queryset().filter(is_active=True).order_by("name")
    if is_administrator(user):
        return qs
    own = {m.organisation_id for m in membership_list_for_user(user)}
    return qs.filter(Q(pk__in=own) | seen_cpts_q(user, deposited_only=False)).distinct()


# Members


def member_list(
    cpts: Organisation,
    *,
    on: dt.date | None = None,
    nature: str = "",
    category: str = "",
    search: str = "",
) -> QuerySet[Member]:
    """The members of a CPTS (present on ``on`` when given, otherwise everybody who ever joined)."""
    qs = Member.objects.filter(cpts=cpts).select_related(
        "profession__category", "structure_type__category", "commune", "user"
    )
    if on is not None:
        qs = qs.present_on(on)
    if nature:
        qs = qs.filter(nature=nature)
    if category:
        qs = qs.filter(Q(profession__category__code=category) | Q(structure_type__category__code=category))
    if search:
        qs = qs.filter(
            Q(last_name__icontains=search)
            | Q(first_name__icontains=search)
            | Q(rpps=search)
            | Q(siret=search)
            | Q(finess=search.upper())
        )
    return qs.order_by("last_name", "first_name", "pk")


def member_count_at(cpts: Organisation, on: dt.date, *, count_structures: bool = True) -> int:
    """Members of the CPTS present on a date (members who left before or on it are not counted)."""
    qs = Member.objects.filter(cpts=cpts).present_on(on)
    if not count_structures:
        qs = qs.filter(nature=MemberNature.PROFESSIONAL)
    return qs.count()


def members_threshold_at(
    cpts: Organisation,
    on: dt.date,
    *,
    threshold: int = 100,
    at_least: bool = True,
    count_structures: bool = True,
) -> ThresholdResult:
    """Whether the "taille 4 with at least 100 members" threshold holds on a date.

    The threshold, "at least" versus "more than", and whether structures count are parameters: they are data
    of the funding scale in force (``funding``), which passes them in.
    """
    count = member_count_at(cpts, on, count_structures=count_structures)
    return threshold_result(count, threshold=threshold, at_least=at_least, count_structures=count_structures)


def member_spans(cpts: Organisation) -> list[MemberSpan]:
    """Every member's span and category, in one query, for the pure counts of ``calculations``."""
    rows = (
        Member.objects.filter(cpts=cpts)
        .annotate(category_code=Coalesce("profession__category__code", "structure_type__category__code"))
        .values_list("nature", "joined_on", "left_on", "category_code", "in_governance", "took_part_in_writing")
    )
    return [MemberSpan(*row) for row in rows]


def member_categories() -> list[tuple[str, str]]:
    return list(MemberCategory.objects.order_by("order", "label").values_list("code", "label"))


def member_counts_by_category(cpts: Organisation, on: dt.date) -> list[CategoryCount]:
    """The health project's table "members by category" on a date."""
    return counts_by_category(member_spans(cpts), on, member_categories())


@dataclass(frozen=True)
class ProfessionCount:
    label: str
    count: int


def professions_represented(cpts: Organisation, on: dt.date) -> list[ProfessionCount]:
    """Professions (and kinds of structure) present on a date, most represented first."""
    professions = (
        Member.objects.filter(cpts=cpts, nature=MemberNature.PROFESSIONAL)
        .present_on(on)
        .values("profession__label")
        .annotate(n=Count("pk"))
    )
    structures = (
        Member.objects.filter(cpts=cpts, nature=MemberNature.STRUCTURE)
        .present_on(on)
        .values("structure_type__label")
        .annotate(n=Count("pk"))
    )
    rows = [ProfessionCount(r["profession__label"], r["n"]) for r in professions]
    rows += [ProfessionCount(r["structure_type__label"], r["n"]) for r in structures]
    return sorted(rows, key=lambda r: (-r.count, r.label))


def profession_lookup() -> dict[str, Profession]:
    """Professions by normalised code, label and aliases, for imports."""
    from .services import normalise_label

    lookup: dict[str, Profession] = {}
    for profession in Profession.objects.select_related("category"):
        for name in [profession.code, profession.label, *profession.aliases]:
            lookup.setdefault(normalise_label(name), profession)
    return lookup


def structure_type_lookup() -> dict[str, StructureType]:
    from .services import normalise_label

    lookup: dict[str, StructureType] = {}
    for kind in StructureType.objects.select_related("category"):
        for name in [kind.code, kind.label, *kind.aliases]:
            lookup.setdefault(normalise_label(name), kind)
    return lookup


# Partners


def partner_list(cpts: Organisation) -> QuerySet[Partner]:
    """Partners, each annotated ``in_territory`` (its commune belongs to the CPTS's territory)."""
    in_territory = TerritoryCommune.objects.filter(territory__cpts=cpts, commune=OuterRef("commune"))
    return (
        Partner.objects.filter(cpts=cpts)
        .select_related("commune")
        .annotate(in_territory=Exists(in_territory))
        .order_by("ended_on", "name", "pk")
    )


# Bodies, mandates, referents


class _CurrentMandates(TypedDict):
    current_mandates: list[Mandate]


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    BodyWithMandates = WithAnnotations[Body, _CurrentMandates]


def body_list(cpts: Organisation, on: dt.date) -> list[BodyWithMandates]:
    """Bodies with the mandates running on ``on`` (as ``current_mandates``)."""
    running = (
        Mandate.objects.filter(started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("member__profession", "member__structure_type")
        .order_by("role", "member__last_name")
    )
    return list(
        Body.objects.filter(cpts=cpts)
        .prefetch_related(Prefetch("mandates", queryset=running, to_attr="current_mandates"))
        .order_by("kind", "name", "pk")
    )


@dataclass(frozen=True)
class BureauStatus:
    exists: bool
    missing_roles: tuple[str, ...]  # labels of the required officers without a running mandate

    @property
    def complete(self) -> bool:
        return self.exists and not self.missing_roles


def bureau_status(bodies: list[BodyWithMandates]) -> BureauStatus:
    """A bureau is complete with a président, a trésorier and a secrétaire in office (from ``body_list``)."""
    bureaus = [b for b in bodies if b.kind == BodyKind.BUREAU]
    if not bureaus:
        return BureauStatus(False, tuple(str(MandateRole(r).label) for r in BUREAU_REQUIRED_ROLES))
    roles = {m.role for b in bureaus for m in b.current_mandates}
    missing = tuple(str(MandateRole(r).label) for r in BUREAU_REQUIRED_ROLES if r not in roles)
    return BureauStatus(True, missing)


def referent_list(cpts: Organisation, on: dt.date) -> QuerySet[Referent]:
    return (
        Referent.objects.filter(cpts=cpts, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("member__profession", "member__structure_type")
        .order_by("kind", "mission", "pk")
    )


# Documents and the inclusion dynamic


def document_list(cpts: Organisation) -> QuerySet[GovernanceDocument]:
    return GovernanceDocument.objects.filter(cpts=cpts).select_related("uploaded_by")


def inclusion_action_list(cpts: Organisation) -> QuerySet[InclusionAction]:
    return InclusionAction.objects.filter(cpts=cpts).order_by("-date", "-pk")


@dataclass(frozen=True)
class InclusionTotals:
    actions: int
    reached: int
    by_kind: list[tuple[str, int, int]]  # (label, actions, reached)


def inclusion_totals(cpts: Organisation) -> InclusionTotals:
    """Totals that feed the letter and the health project (actions and professionals reached, per kind)."""
    rows = {
        r["kind"]: r
        for r in InclusionAction.objects.filter(cpts=cpts)
        .values("kind")
        .annotate(n=Count("pk"), reached=Sum("audience_reached"))
    }
    by_kind = [
        (str(label), rows[value]["n"], rows[value]["reached"] or 0)
        for value, label in InclusionActionKind.choices
        if value in rows
    ]
    return InclusionTotals(actions=sum(r[1] for r in by_kind), reached=sum(r[2] for r in by_kind), by_kind=by_kind)


# Invitations


def invitation_get_by_token(token: str) -> MemberInvitation | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return (
        MemberInvitation.objects.filter(token_hash=digest).select_related("member__cpts", "member__profession").first()
    )


def invitation_pending_for(member: Member, *, now: dt.datetime | None = None) -> MemberInvitation | None:
    """The member's invitation that can still be used (the latest one: sending another cancels the earlier)."""
    now = now or timezone.now()
    return MemberInvitation.objects.filter(member=member, used_at__isnull=True, expires_at__gt=now).first()


# Signatures of the health project's versions (issue 16, point 2)


def signature_round_current(target) -> SignatureRound | None:
    """The round of ``target`` open for signature (None when none was ever opened)."""
    content_type = ContentType.objects.get_for_model(target)
    return (
        SignatureRound.objects.filter(content_type=content_type, object_id=target.pk, superseded_at__isnull=True)
        .select_related("cpts")
        .first()
    )


def signature_round_list(cpts: Organisation) -> QuerySet[SignatureRound]:
    """Every round of the CPTS, the newest first, with its counts (one query)."""
    return (
        SignatureRound.objects.filter(cpts=cpts)
        .select_related("opened_by")
        .annotate(
            signatures_total=Count("signatures"),
            signatures_signed=Count("signatures", filter=Q(signatures__signed_at__isnull=False)),
        )
        .order_by("-opened_at", "-pk")
    )


def signature_round_get(cpts: Organisation, pk: int) -> SignatureRound | None:
    return SignatureRound.objects.filter(cpts=cpts, pk=pk).select_related("cpts", "opened_by").first()


@dataclass(frozen=True)
class SignatureRoundStatus:
    """Who signed a round's version and who has not. ``total`` counts the members expected to sign: those who
    signed and those still present who have not (a member who left before signing is in ``left`` only)."""

    signed: list[Signature]
    missing: list[Signature]
    left: list[Signature]

    @property
    def signed_count(self) -> int:
        return len(self.signed)

    @property
    def total(self) -> int:
        return len(self.signed) + len(self.missing)


def signature_round_status(signature_round: SignatureRound, *, on: dt.date | None = None) -> SignatureRoundStatus:
    """The round's signatures, each with its member and (paper) recorder, in one query. Only signatures of this
    round, on the version its signers saw, are counted."""
    on = on or timezone.localdate()
    rows = list(
        Signature.objects.filter(round=signature_round)
        .select_related("member", "recorded_by")
        .order_by("member__last_name", "member__first_name", "pk")
    )
    signed = [s for s in rows if s.signed_at is not None and s.signed_sha256 == signature_round.sha256]
    unsigned = [s for s in rows if s.signed_at is None]
    return SignatureRoundStatus(
        signed=sorted(signed, key=lambda s: (s.signed_at, s.pk)),
        missing=[s for s in unsigned if s.member.is_present_on(on)],
        left=[s for s in unsigned if not s.member.is_present_on(on)],
    )


def signature_get_by_token(token: str) -> Signature | None:
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    return Signature.objects.filter(token_hash=digest).select_related("round__cpts", "member").first()


# The organisation as the health project freezes it


# Members practising in town ("professionnels de santé de ville", seed 004): a professional member whose practice
# is not salaried in an establishment. Everyone else (structures, salaried professionals) is an "other actor".
CITY_PRACTICE_MODES = {"", "liberal", "msp", "esp", "centre_sante", "ess"}


def _member_row(member: Member) -> dict:
    kind = member.profession or member.structure_type
    return {
        "last_name": member.last_name,
        "first_name": member.first_name,
        "nature": member.get_nature_display(),
        "profession": str(kind) if kind else "",
        "status": member.get_practice_mode_display(),
        "place": member.commune.name if member.commune else "",
        "membership_kind": member.get_membership_kind_display(),
        "joined_via": member.get_joined_via_display(),
        "involvement": member.get_involvement_display(),
        "in_governance": member.in_governance,
        "took_part_in_writing": member.took_part_in_writing,
        "joined_on": member.joined_on.isoformat(),
    }


def _partner_row(partner) -> dict:
    return {
        "name": partner.name,
        "representative": partner.representative,
        "place": partner.commune.name if partner.commune else "",
        "location": partner.location,
        "in_territory": partner.in_territory,
        "is_formalised": partner.is_formalised,
        "agreement_signed_on": partner.agreement_signed_on.isoformat() if partner.agreement_signed_on else None,
        "has_agreement": bool(partner.agreement),
        "review_due_on": partner.review_due_on.isoformat() if partner.review_due_on else None,
        "in_governance": partner.in_governance,
    }


def organisation_snapshot(cpts: Organisation, on: dt.date) -> dict:
    """The organisation a health project version freezes (seed 003 §organisation, seed 004 lists): the adherents
    with their status, the partners and their agreements, the statutes and internal rules, the bodies and their
    running mandates, the referents and the inclusion actions. Contact details are not part of it (the fiches
    carry the pilots' contacts). A fixed number of queries whatever the CPTS's size."""
    members = list(member_list(cpts, on=on))
    partners = [p for p in partner_list(cpts) if p.ended_on is None or p.ended_on > on]
    bodies = body_list(cpts, on)
    bureau = bureau_status(bodies)
    documents = document_list(cpts).filter(kind__in=[DocumentKind.STATUTES, DocumentKind.INTERNAL_RULES])
    actions = list(inclusion_action_list(cpts).filter(date__lte=on))
    rows = [(_member_row(m), m.nature == MemberNature.PROFESSIONAL and m.practice_mode in CITY_PRACTICE_MODES)
            for m in members]  # fmt: skip
    return {
        "adherents": [row for row, _city in rows],
        "lists": {  # seed 004: "Liste des professionnels de santé de ville" and "des autres acteurs ou structures"
            "city_professionals": [row for row, city in rows if city],
            "other_actors": [row for row, city in rows if not city],
        },
        "partners": [_partner_row(p) for p in partners],
        "documents": [
            {
                "kind": d.kind,
                "kind_label": d.get_kind_display(),
                "title": d.title,
                "date": d.document_date.isoformat() if d.document_date else None,
                "sha256": d.sha256,
                "size": d.size,
            }
            for d in documents
        ],
        "bodies": [
            {
                "kind": b.get_kind_display(),
                "name": str(b),
                "voting_rights": b.voting_rights,
                "notes": b.notes,
                "mandates": [
                    {
                        "member": f"{m.member.first_name} {m.member.last_name}".strip(),
                        "role": m.get_role_display(),
                        "has_vote": m.has_vote,
                        "started_on": m.started_on.isoformat(),
                    }
                    for m in b.current_mandates
                ],
            }
            for b in bodies
        ],
        "bureau": {"exists": bureau.exists, "missing_roles": list(bureau.missing_roles)},
        "referents": [
            {
                "kind": r.get_kind_display(),
                "member": f"{r.member.first_name} {r.member.last_name}".strip(),
                "mission": r.mission,
            }
            for r in referent_list(cpts, on)
        ],
        "inclusion_actions": [
            {
                "date": a.date.isoformat(),
                "kind": a.get_kind_display(),
                "title": a.title,
                "reached": a.audience_reached,
            }
            for a in actions
        ],
    }
