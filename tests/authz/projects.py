"""projects: the intention letter, walked while it is under review at the Guichet (one URPS has answered); the health
project, walked in review (issue 16: version 2 deposited after complements, opinions given and awaited, a decision
prepared and not signed; see ``world._health_project_in_review``).

STATE_RULES says who views a letter under review: the CPTS, the desk, the reviewing URPS, the ARS of the region (its
agents and deciders), the ARS's delegation of the CPTS's département (not another département's: issue 13, point 3)
and administrators; the Assurance Maladie (CPAM, MSA, ELSM) is not part of the letter's circuit before the decision.

The health project's circuit (the region's settings): the ARS is its desk (agents ask for complements, complete the
consolidated grid, prepare the decision; deciders too, and only they sign); the DD and the CPAM of the CPTS's
département, the MSA, the Guichet (as Inter-URPS) and the ELSM are consulted; the URPS persona is not, nor are the
DD and the CPAM of another département. A deposited project is read by the CPTS, the ARS, the organisations consulted
and administrators; its grid, opinions and PDFs of the review by the ARS, the organisations consulted and
administrators, not by the CPTS.
"""

from .matrix import CPTS_TEAM, Rule, only, signed_in

LETTER_VIEWERS = (*CPTS_TEAM, "desk", "urps", "ars", "ars_decider", "dd", "admin")
# Messages: the CPTS and its interlocutors; internal notes: the reviewing organisations only.
MESSAGE_WRITERS = (*CPTS_TEAM, "desk", "urps", "ars", "ars_decider", "dd")
NOTE_WRITERS = ("desk", "urps", "ars", "ars_decider", "dd")

# The health project in review (issue 16).
ARS_PEOPLE = ("ars", "ars_decider")
CONSULTED = ("dd", "health_insurance", "msa", "desk", "elsm")  # the circuit's organisations (the Guichet: Inter-URPS)
REVIEW_READERS = (*ARS_PEOPLE, *CONSULTED, "admin")
PROJECT_READERS = (*CPTS_TEAM, *REVIEW_READERS)
# The CPAM has answered on version 2; the DD answered on version 1 and is asked again on version 2.
OPINION_GIVERS = ("ars", "ars_decider", "dd", "msa", "desk", "elsm")


def project(w):
    return {"cpts_pk": w.cpts.pk}


def project_form(*allowed, note=""):
    """A form of the review: GET shows it, an empty POST comes back with its errors (200) to those allowed."""
    return Rule(kwargs=project, GET=only(*allowed), POST=only(*allowed), note=note)


def letter(w):
    return {"pk": w.letter.pk}


def action(*allowed, note=""):
    """A POST-only transition: allowed people are redirected (applied, or refused in a message); others 403."""
    return Rule(kwargs=letter, GET=signed_in("405"), POST=only(*allowed, ok="302"), note=note)


RULES = {
    "projects:letter_list": Rule(GET=signed_in("200"), POST=signed_in("405"), note="chacun ne voit que ses lettres"),
    "projects:letter_start": Rule(
        kwargs=lambda w: {"cpts_pk": w.foreign_cpts.pk},
        GET=signed_in("405"),
        POST=only(),
        note="une CPTS dont aucune persona n'est membre : personne ne peut y ouvrir la lettre",
    ),
    "projects:letter_detail": Rule(kwargs=letter, GET=only(*LETTER_VIEWERS), POST=signed_in("405")),
    "projects:letter_edit": Rule(kwargs=letter, GET=only(), POST=only(), note="en examen, la lettre est figée"),
    "projects:letter_submit": action("coordinator", note="déjà déposée : refus expliqué dans un message"),
    "projects:letter_submit_confirm": Rule(
        kwargs=letter, GET=only(), POST=only(), note="confirmation du dépôt : en examen, la lettre ne se modifie plus"
    ),
    "projects:letter_open_review": action("desk", note="déjà prise en charge : refus expliqué dans un message"),
    "projects:letter_transmit": action("desk", note="avis encore attendus : refus expliqué dans un message"),
    "projects:letter_withdraw": action("coordinator"),
    "projects:letter_complements": Rule(kwargs=letter, GET=only("desk"), POST=only("desk")),
    "projects:letter_opinion": Rule(
        kwargs=letter,
        GET=only("desk", "urps"),
        POST=only("desk", "urps"),
        note="l'URPS de la persona n'a pas encore répondu ; le guichet rédige l'avis consolidé",
    ),
    "projects:letter_decision": Rule(
        kwargs=letter, GET=only(), POST=only(), note="circuit Guichet : l'ARS décide après la transmission"
    ),
    "projects:letter_prepare_decision": Rule(
        kwargs=letter,
        GET=only(),
        POST=only(),
        note="circuit Guichet : l'agent de l'ARS prépare la décision après la transmission, pas pendant l'examen",
    ),
    "projects:letter_message": Rule(kwargs=letter, GET=signed_in("405"), POST=only(*MESSAGE_WRITERS, ok="302")),
    "projects:letter_note": Rule(kwargs=letter, GET=signed_in("405"), POST=only(*NOTE_WRITERS, ok="302")),
    "projects:letter_identity_sheet": Rule(
        kwargs=letter, GET=only(), POST=only(), note="fiche signalétique : circuit COPIL, lettre validée"
    ),
    "projects:version_preview": Rule(
        kwargs=lambda w: {"pk": w.letter.pk, "number": 1}, GET=only(*LETTER_VIEWERS), POST=signed_in("405")
    ),
    "projects:version_diff": Rule(
        kwargs=lambda w: {"pk": w.letter.pk, "number": 1},
        GET=only(*LETTER_VIEWERS, ok="404"),
        POST=signed_in("405"),
        note="la version 1 n'a pas de version précédente : 404 pour qui voit la lettre, 403 pour les autres",
    ),
    "projects:document_download": Rule(
        kwargs=lambda w: {"pk": w.letter.pk, "document_pk": w.document.pk},
        GET=only(*LETTER_VIEWERS),
        POST=signed_in("405"),
    ),
    "projects:health_project_detail": Rule(
        kwargs=project,
        GET=only(*PROJECT_READERS),
        POST=signed_in("405"),
        note="déposé : la CPTS, l'ARS, les organisations consultées (pas l'URPS hors circuit) et les administrateurs",
    ),
    "projects:health_project_start": Rule(
        kwargs=project,
        GET=signed_in("405"),
        POST=only(),
        note="le projet existe déjà et la lettre du monde est en examen : personne ne l'ouvre",
    ),
    "projects:health_project_edit": Rule(
        kwargs=project,
        GET=only(),
        POST=only(),
        note="déposé à l'ARS, le projet ne se modifie plus (une demande de compléments le rouvre)",
    ),
    "projects:health_project_transition": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "transition": "approve"},
        GET=signed_in("405"),
        POST=only("coordinator", ok="302"),
        note="la coordination : déjà déposé, refus expliqué dans un message ; les autres ne valident pas le projet",
    ),
    "projects:health_project_review": Rule(
        kwargs=project,
        GET=only(*REVIEW_READERS),
        POST=signed_in("405"),
        note="la grille et les avis : l'ARS et les organisations consultées, pas la CPTS",
    ),
    "projects:health_project_opinion": project_form(
        *OPINION_GIVERS,
        note="chaque organisation consultée une fois par version (la CPAM a répondu sur la version 2) ; l'ARS y "
        "remplit la grille consolidée",
    ),
    "projects:health_project_complements": project_form(*ARS_PEOPLE),
    "projects:health_project_prepare_decision": project_form(*ARS_PEOPLE),
    "projects:health_project_sign_decision": project_form("ars_decider", note="un décideur de l'ARS signe"),
    "projects:health_project_version": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "number": 1}, GET=only(*PROJECT_READERS), POST=signed_in("405")
    ),
    "projects:health_project_version_diff": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "number": 2},
        GET=only(*PROJECT_READERS),
        POST=signed_in("405"),
        note="ce qui a changé entre la version 1 et la version 2 (après les compléments)",
    ),
    "projects:health_project_grid_preview": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "number": 2}, GET=only(*REVIEW_READERS), POST=signed_in("405")
    ),
    "projects:health_project_document_download": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "document_pk": w.pk("health_project_document")},
        GET=only(*PROJECT_READERS),
        POST=signed_in("405"),
        note="le PDF du projet déposé (version 2) : qui lit le projet",
    ),
    "projects:health_project_list": Rule(
        GET=signed_in("200"), POST=signed_in("405"), note="chacun ne voit que les projets de santé de ses dossiers"
    ),
    "projects:recognised_register": Rule(
        GET=signed_in("200"),
        POST=signed_in("405"),
        note="le registre régional des CPTS reconnues : information publique",
    ),
    "projects:notification_list": Rule(GET=signed_in("200"), POST=signed_in("405")),
    "projects:notification_read": Rule(GET=signed_in("405"), POST=signed_in("302"), note="ses propres avis seulement"),
}
