"""A member's personal data on request (RGPD art. 15 and 20: access and portability; art. 17: erasure).

Erasure anonymises the member instead of deleting the row: the dates, profession or structure type and the roles
they held stay, so every count at every past date (the 100-member threshold, the bureau's completeness, the
categories of the signed contract) is unchanged; the name, identifiers and contact data go, with their audit trail
(django-simple-history keeps a copy of every version) and the invitations sent to the person.

Transmission to the ARS: a fiche action names its pilot and working group with their professional contact (seed 000
Annexe 7). The contact leaves the CPTS (in the fiches of the health project sent to the ARS, their PDF and the
frozen version its reviewers read) only when the member's consent is recorded (``Member.contact_consent_on``);
otherwise the fiche says "coordonnées non transmises (consentement absent)". ``ars_contact`` is that rule.
"""

from __future__ import annotations

import csv
import io
import json

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cpts_portal.tabular import neutralise

from .choices import MemberNature
from .models import Member

PERSONAL_FIELDS = ["last_name", "first_name", "rpps", "email", "phone", "postal_address", "commune", "user"]
ERASED_PREFIX = "Membre anonymisé"
CONSENT_PURPOSE = "coordonnées transmises à l'ARS dans les fiches action"
NO_CONSENT_NOTE = "coordonnées non transmises (consentement absent)"


def ars_contact(member: Member) -> dict:
    """The member's professional contact as the fiches sent to the ARS may carry it: ``{"transmitted": True,
    "address", "phone", "email", "consent_on"}`` with the member's consent, else ``{"transmitted": False, "note"}``
    and no contact at all."""
    if not member.shares_contact_with_ars:
        return {"transmitted": False, "note": NO_CONSENT_NOTE}
    consent_on = member.contact_consent_on
    return {
        "transmitted": True,
        "address": member.postal_address,
        "phone": member.phone,
        "email": member.email,
        "consent_on": consent_on.isoformat() if consent_on else None,
    }


def member_is_erased(member: Member) -> bool:
    return member.last_name.startswith(ERASED_PREFIX) and not member.email and not member.rpps


def member_personal_data(*, member: Member) -> dict:
    """Everything the portal holds on one member of a CPTS, as plain JSON-ready data."""
    member = Member.objects.select_related("cpts", "profession", "structure_type", "commune", "user").get(pk=member.pk)
    return {
        "cpts": member.cpts.name,
        "membre": {
            "nature": member.get_nature_display(),
            "nom": member.last_name,
            "prenom": member.first_name,
            "profession": str(member.profession or ""),
            "type_de_structure": str(member.structure_type or ""),
            "rpps": member.rpps,
            "siret": member.siret,
            "finess": member.finess,
            "mode_exercice": member.get_practice_mode_display() if member.practice_mode else "",
            "commune": f"{member.commune.name} ({member.commune.insee_code})" if member.commune else "",
            "email": member.email,
            "telephone": member.phone,
            "adresse_professionnelle": member.postal_address,
            "consentement_transmission_ars": (
                member.contact_consent_on.isoformat() if member.contact_consent_on else ""
            ),
            "date_adhesion": member.joined_on.isoformat(),
            "date_depart": member.left_on.isoformat() if member.left_on else "",
            "qualite": member.get_membership_kind_display(),
            "implication": member.get_involvement_display(),
            "participe_gouvernance": member.in_governance,
            "compte_portail": member.user.email if member.user else "",
        },
        "mandats": [
            {
                "instance": str(m.body),
                "role": m.get_role_display(),
                "debut": m.started_on.isoformat(),
                "fin": m.ended_on.isoformat() if m.ended_on else "",
            }
            for m in member.mandates.select_related("body")
        ],
        "referents": [
            {
                "role": r.get_kind_display(),
                "mission": r.mission,
                "debut": r.started_on.isoformat(),
                "fin": r.ended_on.isoformat() if r.ended_on else "",
            }
            for r in member.referent_roles.all()
        ],
        "invitations": [
            {
                "email": i.email,
                "envoyee_le": i.created_at.isoformat(),
                "utilisee_le": i.used_at.isoformat() if i.used_at else "",
            }
            for i in member.invitations.all()
        ],
        "signatures": [
            {
                "version": f"{s.round.title} (n° {s.round.number})",
                "empreinte_sha256": s.round.sha256,
                "mode": s.get_method_display(),
                "signee_le": s.signed_on.isoformat() if s.signed_on else "",
                "enregistree_le": s.signed_at.isoformat() if s.signed_at else "",
                "adresse_ip": s.ip_address or "",
                "navigateur": s.user_agent,
            }
            for s in member.signatures.select_related("round").order_by("round__opened_at", "pk")
        ],
        "historique": [
            {"date": h.history_date.isoformat(), "type": h.get_history_type_display()}
            for h in member.history.order_by("history_date")
        ],
        "exporte_le": timezone.now().isoformat(),
    }


def personal_data_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def personal_data_csv(data: dict) -> bytes:
    """One line per fact: section;champ;valeur (spreadsheet formulas neutralised)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["section", "champ", "valeur"])
    for key, value in data["membre"].items():
        writer.writerow(["membre", key, neutralise(str(value))])
    for section in ("mandats", "referents", "invitations", "historique"):
        for n, row in enumerate(data[section], start=1):
            for key, value in row.items():
                writer.writerow([f"{section} {n}", key, neutralise(str(value))])
    return buffer.getvalue().encode("utf-8-sig")


def personal_data_response(data: dict, fmt: str, filename: str) -> HttpResponse:
    if fmt == "json":
        response = HttpResponse(personal_data_json(data), content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(personal_data_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@transaction.atomic
def member_erase(*, member: Member, by) -> Member:
    """Anonymise a member on request, keeping what the counts need; remove the copies in the audit trail."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    member.last_name = f"{ERASED_PREFIX} n° {member.pk}"
    if member.nature == MemberNature.PROFESSIONAL:
        member.first_name = ""
        member.rpps = ""
    member.email = ""
    member.phone = ""
    member.postal_address = ""
    member.contact_consent_on = None
    member.commune = None
    member.user = None
    member._change_reason = _("effacement RGPD à la demande de la personne")
    member.save()
    for invitation in member.invitations.all():
        invitation.history.all().delete()
    member.invitations.all().delete()
    # A signature stays (the version was signed, and counted), but not where and with what it was signed.
    member.signatures.update(ip_address=None, user_agent="")
    # The audit trail held every earlier version (name, RPPS, contacts): only the erasure itself remains.
    latest = member.history.order_by("-history_date", "-history_id").first()
    member.history.exclude(pk=latest.pk).delete()
    return member
