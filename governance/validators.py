"""Identifiers of professionals and structures (RPPS, SIRET, FINESS) and uploaded PDF documents.

RPPS and FINESS have no validator in python-stdnum, but both end with a Luhn key (``stdnum.luhn``): the RPPS
over its 11 digits, the FINESS over its 9 characters once the Corsican département codes 2A/2B are read as
21/22. SIRET is ``stdnum.fr.siret`` (Luhn, with La Poste's exception).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret

# The PDF checks are shared with the other apps (the diagnostic's annex): they live in cpts_portal.
from cpts_portal.pdf_uploads import DEFAULT_PDF_MAX_BYTES, PDF_MAGIC, pdf_active_content, pdf_max_bytes, validate_pdf

__all__ = [
    "DEFAULT_PDF_MAX_BYTES",
    "PDF_MAGIC",
    "compact",
    "pdf_active_content",
    "pdf_max_bytes",
    "validate_finess",
    "validate_pdf",
    "validate_rpps",
    "validate_siret",
]

# Mainland départements 01-95 (with 2A/2B), overseas 97x (9 characters in all, key last).
FINESS_RE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97)[0-9]{7}$")


def compact(value: str) -> str:
    """Remove spaces, dots and dashes people type in identifiers; upper-case letters (FINESS 2A/2B)."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_rpps(value: str) -> str:
    number = compact(value)
    if not number.isdigit() or len(number) != 11:
        raise ValidationError(_("Le numéro RPPS doit comporter 11 chiffres."), code="rpps_format")
    if not luhn.is_valid(number):
        raise ValidationError(_("Le numéro RPPS est invalide (clé de contrôle erronée)."), code="rpps_checksum")
    return number


def validate_siret(value: str) -> str:
    number = compact(value)
    if not number.isdigit() or len(number) != 14:
        raise ValidationError(_("Le numéro SIRET doit comporter 14 chiffres."), code="siret_format")
    try:
        return stdnum_siret.validate(number)
    except StdnumError as exc:
        raise ValidationError(
            _("Le numéro SIRET est invalide (clé de contrôle erronée)."), code="siret_checksum"
        ) from exc


def validate_finess(value: str) -> str:
    number = compact(value)
    if len(number) != 9:
        raise ValidationError(_("Le numéro FINESS doit comporter 9 caractères."), code="finess_format")
    if not FINESS_RE.match(number):
        raise ValidationError(
            _("Le numéro FINESS doit commencer par un code de département (01 à 95, 2A, 2B, 97) suivi de chiffres."),
            code="finess_format",
        )
    if not luhn.is_valid(number.replace("2A", "21", 1).replace("2B", "22", 1)):
        raise ValidationError(_("Le numéro FINESS est invalide (clé de contrôle erronée)."), code="finess_checksum")
    return number
