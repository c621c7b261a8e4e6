"""governance: members, partners, bodies, referents, documents, inclusion actions, invitations.

Reading: the CPTS (coordinators and members), the reviewing, instructing and health-insurance bodies of its home or
instructing region — departmental ones (CPAM, ARS delegation) only for a CPTS of their département —, administrators.
Writing and members' contact data: the CPTS's coordinators only.
"""

from .matrix import CPTS_TEAM, Rule, everyone, merge, only, signed_in

GOVERNANCE_READERS = (
    *CPTS_TEAM,
    "desk",
    "urps",
    "ars",
    "ars_decider",
    "health_insurance",
    "msa",
    "elsm",
    "dd",
    "admin",
)
SIGNATURE_READERS = (*CPTS_TEAM, "admin")


def cpts(w):
    return {"cpts_pk": w.cpts.pk}


def read(kwargs=cpts):
    return Rule(kwargs=kwargs, GET=only(*GOVERNANCE_READERS), POST=signed_in("405"))


def form(kwargs=cpts):
    """A coordinator's form: an empty POST comes back with its errors."""
    return Rule(kwargs=kwargs, GET=only("coordinator"), POST=only("coordinator"))


def action(kwargs):
    return Rule(kwargs=kwargs, GET=signed_in("405"), POST=only("coordinator", ok="302"))


RULES = {
    "governance:index": Rule(
        GET=merge(
            signed_in("200"),
            coordinator="302",
            member="302",
            other_coordinator="302",
            foreign_reviewer="302",
            foreign_ars="302",
        ),
        POST=signed_in("405"),
        note=(
            "une seule CPTS visible : redirection vers elle ; sinon la liste des CPTS visibles (vide pour la CPAM et "
            "la délégation d'un autre département)"
        ),
    ),
    "governance:invitation_accept": Rule(
        kwargs=lambda w: {"token": w.invitation_token},
        GET=everyone("200"),
        POST=everyone("302", anonymous="200"),
        note=(
            "le lien est le justificatif (à usage unique, envoyé à l'adresse invitée) : qui le détient lit l'adresse "
            "à laquelle il a été envoyé ; connecté avec un autre compte : refus expliqué dans un message"
        ),
        discloses=("e-mail d'un membre de la CPTS",),
    ),
    "governance:overview": read(),
    "governance:member_list": read(),
    "governance:member_create": form(lambda w: {"cpts_pk": w.cpts.pk, "nature": "professionnel"}),
    "governance:member_import": form(),
    "governance:member_export": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "fmt": "csv"},
        GET=only("coordinator"),
        POST=signed_in("405"),
        note="l'export contient les coordonnées : coordinateurs seulement",
    ),
    "governance:member_update": form(lambda w: {"cpts_pk": w.cpts.pk, "pk": w.member.pk}),
    "governance:member_leave": action(lambda w: {"cpts_pk": w.cpts.pk, "pk": w.member.pk}),
    "governance:member_invite": action(lambda w: {"cpts_pk": w.cpts.pk, "pk": w.member.pk}),
    "governance:member_personal_data": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "pk": w.member.pk, "fmt": "json"},
        GET=only("coordinator"),
        POST=signed_in("405"),
        note="RGPD : l'export des données d'un membre, à sa demande, par les coordinateurs",
    ),
    "governance:member_erase": action(lambda w: {"cpts_pk": w.cpts.pk, "pk": w.member.pk}),
    "governance:partner_list": read(),
    "governance:partner_create": form(),
    "governance:partner_update": form(lambda w: {"cpts_pk": w.cpts.pk, "pk": w.partner.pk}),
    "governance:partner_agreement": read(lambda w: {"cpts_pk": w.cpts.pk, "pk": w.partner.pk}),
    "governance:body_list": read(),
    "governance:body_create": form(),
    "governance:mandate_create": form(lambda w: {"cpts_pk": w.cpts.pk, "body_pk": w.body.pk}),
    "governance:mandate_end": action(lambda w: {"cpts_pk": w.cpts.pk, "pk": w.mandate.pk}),
    "governance:referent_create": form(),
    "governance:referent_end": action(lambda w: {"cpts_pk": w.cpts.pk, "pk": w.referent.pk}),
    "governance:document_list": read(),
    "governance:document_upload": form(),
    "governance:document_download": read(lambda w: {"cpts_pk": w.cpts.pk, "pk": w.gov_document.pk}),
    "governance:inclusion_list": read(),
    "governance:inclusion_create": form(),
    # Members' signatures of the health project (issue 16): the CPTS's own (not the reviewing bodies, who read the
    # signatories in the deposited version); reminders, paper signatures and scans: the coordinators.
    "governance:signature_sign": Rule(
        kwargs=lambda w: {"token": w.objects["signature_token"]},
        GET=everyone("200"),
        POST=everyone("200"),
        note=(
            "le lien est le justificatif (à usage unique, envoyé au membre) : qui le détient lit la version à signer "
            "et le nom du signataire ; un POST vide revient avec l'erreur de la case à cocher"
        ),
    ),
    "governance:signature_round_list": Rule(kwargs=cpts, GET=only(*SIGNATURE_READERS), POST=signed_in("405")),
    "governance:signature_round_detail": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "pk": w.pk("signature_round")},
        GET=only(*SIGNATURE_READERS),
        POST=signed_in("405"),
    ),
    "governance:signature_round_remind": action(lambda w: {"cpts_pk": w.cpts.pk, "pk": w.pk("signature_round")}),
    "governance:signature_paper": form(lambda w: {"cpts_pk": w.cpts.pk, "pk": w.pk("signature")}),
    "governance:signature_scan": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "pk": w.pk("paper_signature")},
        GET=only("coordinator"),
        POST=signed_in("405"),
        note="le scan porte une signature manuscrite : coordinateurs seulement",
    ),
}
