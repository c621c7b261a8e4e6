"""What awaits a person ("ce qui m'attend"), for every dossier the engine knows: computed from each definition's
rules (status to-dos, transitions, the opinion column) and pending rows, never a hand-kept to-do list."""

from django.utils import timezone

from accounts.selectors import membership_list_for_user

from ..workflows.engine import AwaitingItem, awaiting_steps, definitions

__all__ = ["awaiting_for_user"]


def awaiting_for_user(user) -> dict[str, list[AwaitingItem]]:
    """By audience: ``cpts`` (dossiers to write or complete, what a decision opens), ``reviewer`` (dossiers to take
    in, opinions owed, opinions to consolidate and transmit), ``ars`` (dossiers to instruct and decide)."""
    result: dict[str, list[AwaitingItem]] = {"cpts": [], "reviewer": [], "ars": []}
    own_organisation_ids = {m.organisation_id for m in membership_list_for_user(user)}
    today = timezone.localdate()
    for definition in definitions():
        if definition.awaiting_dossiers is None:
            continue
        for dossier in definition.awaiting_dossiers(user):
            roles = definition.roles(user, dossier)
            for audience, todo in awaiting_steps(user, dossier, roles, own_organisation_ids):
                counter = definition.counter(dossier) if definition.counter and audience != "cpts" else None
                result.setdefault(audience, []).append(AwaitingItem(dossier, todo, counter))
            if definition.more_awaiting is not None:
                for audience, item in definition.more_awaiting(user, dossier, roles, today):
                    result.setdefault(audience, []).append(item)
    return result
