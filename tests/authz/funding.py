"""funding: the simulator (reads nobody's data) and the CPTS's budget (its coordinators write, its members read)."""

from .matrix import Rule, only, signed_in

BUDGET_READERS = ("coordinator", "member", "admin")


def budget(w):
    return {"pk": w.cpts.pk}  # a budget is addressed by its CPTS


RULES = {
    "funding:simulator": Rule(GET=signed_in("200"), POST=signed_in("405")),
    "funding:budget_list": Rule(GET=signed_in("200"), POST=signed_in("405"), note="chacun ne voit que ses CPTS"),
    "funding:budget_detail": Rule(kwargs=budget, GET=only(*BUDGET_READERS), POST=signed_in("405")),
    "funding:budget_edit": Rule(kwargs=budget, GET=only("coordinator"), POST=only("coordinator", ok="400")),
    "funding:budget_part_edit": Rule(
        kwargs=lambda w: {"pk": w.cpts.pk, "part_pk": w.budget_part.pk},
        GET=only("coordinator"),
        POST=only("coordinator", ok="400"),
    ),
    "funding:budget_preview": Rule(kwargs=budget, GET=only(*BUDGET_READERS), POST=signed_in("405")),
    "funding:budget_pdf": Rule(
        kwargs=budget,
        GET=only(*BUDGET_READERS),
        POST=only(*BUDGET_READERS, ok="302"),
        note="qui lit le budget demande son PDF (rendu par une tâche) et suit son état",
    ),
    "funding:budget_pdf_download": Rule(
        kwargs=budget,
        GET=only(*BUDGET_READERS),
        POST=signed_in("405"),
        note="le monde a préparé le PDF du budget",
    ),
    "funding:budget_complete": Rule(kwargs=budget, GET=signed_in("405"), POST=only("coordinator", ok="302")),
    "funding:budget_reopen": Rule(
        kwargs=budget, GET=signed_in("405"), POST=only(), note="le budget est en cours de saisie : rien à rouvrir"
    ),
}
