"""projects: the intention letter, walked while it is under review at the Guichet (one URPS has answered).

STATE_RULES says who views a letter under review: the CPTS, the desk, the reviewing URPS, the ARS of the region, the
ARS's delegation of the CPTS's département (not another département's: issue 13, point 3) and administrators; the
Assurance Maladie is not part of the letter's circuit before the decision.
"""

from .matrix import CPTS_TEAM, Rule, only, signed_in

LETTER_VIEWERS = (*CPTS_TEAM, "desk", "urps", "ars", "dd", "admin")
# Messages: the CPTS and its interlocutors; internal notes: the reviewing organisations only.
MESSAGE_WRITERS = (*CPTS_TEAM, "desk", "urps", "ars", "dd")
NOTE_WRITERS = ("desk", "urps", "ars", "dd")


NO_PROJECT = "la CPTS du monde n'a pas ouvert son projet de santé : 404 pour tous"


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
        kwargs=lambda w: {"cpts_pk": w.cpts.pk},
        GET=only(*CPTS_TEAM, "admin"),
        POST=signed_in("405"),
        note="le projet de santé en rédaction : la CPTS et les administrateurs ; la lettre n'est pas encore validée",
    ),
    "projects:health_project_start": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk},
        GET=signed_in("405"),
        POST=only(),
        note="la lettre est en examen : personne ne peut encore ouvrir le projet de santé",
    ),
    "projects:health_project_edit": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk}, GET=only(), POST=only(), note="pas encore ouvert : refus pour tous"
    ),
    # The health project as a dossier (issue 16): the world's CPTS has not opened its project (its letter is under
    # review), so every page about it is a 404 for whoever signs in; who opens each page of a deposited project
    # (owner, an organisation consulted, the ARS agent, the decider, an outsider) is projects/tests/
    # test_health_project_review_views.py::test_who_opens_each_page.
    "projects:health_project_transition": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "transition": "approve"},
        GET=signed_in("405"),
        POST=signed_in("404"),
        note=NO_PROJECT,
    ),
    **{
        f"projects:health_project_{name}": Rule(
            kwargs=lambda w: {"cpts_pk": w.cpts.pk}, GET=signed_in("404"), POST=signed_in(post), note=NO_PROJECT
        )
        for name, post in (
            ("review", "405"),
            ("opinion", "404"),
            ("complements", "404"),
            ("prepare_decision", "404"),
            ("sign_decision", "404"),
        )
    },
    **{
        f"projects:health_project_{name}": Rule(
            kwargs=lambda w: {"cpts_pk": w.cpts.pk, "number": 1},
            GET=signed_in("404"),
            POST=signed_in("405"),
            note=NO_PROJECT,
        )  # fmt: skip
        for name in ("version", "version_diff", "grid_preview")
    },
    "projects:health_project_document_download": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "document_pk": 1},
        GET=signed_in("404"),
        POST=signed_in("405"),
        note=NO_PROJECT,
    ),
    "projects:notification_list": Rule(GET=signed_in("200"), POST=signed_in("405")),
    "projects:notification_read": Rule(GET=signed_in("405"), POST=signed_in("302"), note="ses propres avis seulement"),
}
