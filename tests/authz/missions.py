"""missions: the action plan and its fiches action — the CPTS's own working documents (its coordinators write,
its members read; administrators read).

Declared from the code of commit d12c033; the lead re-checks it when the missions work lands.
"""

from .matrix import CPTS_TEAM, Rule, merge, only, signed_in

PLAN_READERS = (*CPTS_TEAM, "admin")


def cpts(w):
    return {"cpts_pk": w.cpts.pk}


def sheet(w):
    return {"cpts_pk": w.cpts.pk, "pk": w.sheet.pk}


def read(kwargs=cpts):
    return Rule(kwargs=kwargs, GET=only(*PLAN_READERS), POST=signed_in("405"))


def form(kwargs=cpts):
    return Rule(kwargs=kwargs, GET=only("coordinator"), POST=only("coordinator", ok="400"))


def action(kwargs, ok="302", note=""):
    return Rule(kwargs=kwargs, GET=signed_in("405"), POST=only("coordinator", ok=ok) if ok else only(), note=note)


RULES = {
    "missions:index": Rule(
        GET=merge(signed_in("200"), coordinator="302", member="302", other_coordinator="302"),
        POST=signed_in("405"),
        note="une personne d'une seule CPTS va droit à son plan ; les autres voient la liste qui les concerne",
    ),
    "missions:plan_detail": read(),
    "missions:plan_start": action(cpts, ok=None, note="le plan existe déjà"),
    "missions:plan_settings": Rule(kwargs=cpts, GET=only("coordinator"), POST=only("coordinator", ok="302")),
    "missions:plan_validate": action(cpts),
    "missions:mission_intro_update": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "code": "1"},
        GET=only("coordinator"),
        POST=only("coordinator", ok="302"),
        note="l'état des lieux et les objectifs d'une mission, écrits par la coordination avant ses fiches",
    ),
    "missions:plan_planning": read(),
    "missions:plan_export": read(lambda w: {"cpts_pk": w.cpts.pk, "fmt": "csv"}),
    "missions:plan_pdf": Rule(
        kwargs=cpts,
        GET=only(*PLAN_READERS),
        POST=only(*PLAN_READERS, ok="302"),
        note="qui lit le plan demande son PDF (rendu par une tâche) et suit son état",
    ),
    "missions:plan_pdf_download": Rule(
        kwargs=cpts,
        GET=only(*PLAN_READERS),
        POST=signed_in("405"),
        note="le monde a préparé le PDF du plan dans ses deux variantes (coordination, membres)",
    ),
    "missions:sheet_create": form(),
    "missions:sheet_from_example": Rule(
        kwargs=cpts,
        GET=only("coordinator"),
        POST=only("coordinator", ok="302"),
        note="aucun exemple choisi : retour à la liste avec un message",
    ),
    "missions:sheet_detail": read(sheet),
    "missions:sheet_update": form(sheet),
    "missions:sheet_pdf": Rule(kwargs=sheet, GET=only(*PLAN_READERS), POST=only(*PLAN_READERS, ok="302")),
    "missions:sheet_pdf_download": Rule(
        kwargs=sheet,
        GET=only(*PLAN_READERS, ok="404"),
        POST=signed_in("405"),
        note="aucun PDF de la fiche n'est préparé dans le monde : la page du PDF le propose",
    ),
    "missions:sheet_duplicate": action(sheet),
    "missions:sheet_move": action(sheet),
    "missions:sheet_archive": action(sheet),
    "missions:sheet_pilot_validate": action(sheet, ok=None, note="la fiche n'a pas de pilote"),
    "missions:sheet_validate": action(sheet, ok=None, note="le pilote n'a pas encore validé"),
    "missions:sheet_validate_for_pilot": action(sheet, ok=None, note="la fiche n'a pas de pilote"),
    "missions:sheet_invite_pilot": action(sheet, ok=None, note="la fiche n'a pas de pilote"),
    "missions:indicator_create": form(sheet),
    "missions:indicator_update": form(
        lambda w: {"cpts_pk": w.cpts.pk, "pk": w.sheet.pk, "indicator_pk": w.indicator.pk}
    ),
    "missions:indicator_delete": action(
        lambda w: {"cpts_pk": w.cpts.pk, "pk": w.sheet.pk, "indicator_pk": w.indicator.pk}
    ),
}
