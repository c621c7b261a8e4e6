"""Reads about people, organisations and regions that carry access rules."""

import datetime as dt

from django.db.models import QuerySet

from .choices import ARS_KINDS, HEALTH_INSURANCE_KINDS, REVIEW_KINDS, OrganisationKind, Role
from .models import Membership, Organisation, RegionalSettings, circuits_prefetch


def membership_list_for_user(user) -> list[Membership]:
    """The active memberships of a person, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True, organisation__is_active=True).select_related(
                "organisation__region", "organisation__departement"
            )
        )
        user._memberships_cache = cached
    return cached


def user_roles(user) -> set[str]:
    return {m.role for m in membership_list_for_user(user)}


def user_organisation_kinds(user) -> set[str]:
    return {m.organisation.kind for m in membership_list_for_user(user)}


def is_administrator(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or Role.ADMINISTRATOR in user_roles(user)


def user_audiences(user) -> set[str]:
    """The audiences a person belongs to, used by the navigation and the home page."""
    audiences = set()
    for m in membership_list_for_user(user):
        kind = m.organisation.kind
        if kind == OrganisationKind.CPTS:
            audiences.add("cpts")
        elif kind in REVIEW_KINDS:
            audiences.add("reviewer")
        elif kind in ARS_KINDS:
            audiences.add("ars")
        elif kind in HEALTH_INSURANCE_KINDS:
            audiences.add("health_insurance")
    if is_administrator(user):
        audiences.add("administrator")
    return audiences


TWO_FACTOR_AUDIENCES = {"reviewer", "ars", "health_insurance", "administrator"}


def requires_two_factor(user) -> bool:
    """Reviewers, ARS and Assurance Maladie agents and administrators must use a second factor."""
    return bool(user_audiences(user) & TWO_FACTOR_AUDIENCES)


def organisation_list_for_user(user) -> QuerySet[Organisation]:
    """Organisations a person may see: their own; every one for an administrator."""
    qs = Organisation.objects.select_related("region", "departement")
    if is_administrator(user):
        return qs
    return qs.filter(memberships__user=user, memberships__is_active=True).distinct()


def cpts_list_for_user(user) -> list[Organisation]:
    """The CPTS a person belongs to (coordinator or member)."""
    return [m.organisation for m in membership_list_for_user(user) if m.organisation.kind == OrganisationKind.CPTS]


def organisation_member_list(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation, is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "role")
    )


def regional_settings_for(*, region, on: dt.date) -> RegionalSettings | None:
    """The settings of a region in force on a date (the latest that started on or before it)."""
    return (
        RegionalSettings.objects.filter(region=region, valid_from__lte=on)
        .prefetch_related(circuits_prefetch())
        .order_by("-valid_from")
        .first()
    )
