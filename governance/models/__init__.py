from .members import Member, MemberQuerySet
from .organisation import Body, GovernanceDocument, InclusionAction, Mandate, MemberInvitation, Partner, Referent
from .reference import MemberCategory, Profession, StructureType
from .signatures import Signature, SignatureRound

__all__ = [
    "Body",
    "GovernanceDocument",
    "InclusionAction",
    "Mandate",
    "Member",
    "MemberCategory",
    "MemberInvitation",
    "MemberQuerySet",
    "Partner",
    "Profession",
    "Referent",
    "Signature",
    "SignatureRound",
    "StructureType",
]
