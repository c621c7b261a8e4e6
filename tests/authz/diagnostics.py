"""diagnostics: territories, diagnostics, indicators.

The owning CPTS's territory is frozen by its submitted letter: the editing routes are walked on the sister CPTS's
territory (its letter is a draft), whose coordinator is the ``other_coordinator`` persona — so the owning CPTS's
coordinator is here the coordinator of *another* CPTS, and must be refused.
"""

from .matrix import CPTS_TEAM, Rule, only, signed_in

# Whoever may read a territory and its diagnostic (its letter is deposited): the CPTS, the reviewing, instructing and
# health-insurance bodies (CPAM, MSA, ELSM) of its home or instructing region — the departmental ones (the CPAM, the
# ELSM, the ARS's delegation) only in the CPTS's département ("dd_elsewhere" and "cpam_elsewhere" are refused) —, the
# ARS's agents and deciders, administrators.
TERRITORY_READERS = (*CPTS_TEAM, "desk", "urps", "ars", "ars_decider", "health_insurance", "msa", "elsm", "dd", "admin")


def owning(w):
    return {"cpts_pk": w.cpts.pk}


def sister(w):
    return {"cpts_pk": w.sister.pk}


def sister_entry(w):
    return {"cpts_pk": w.sister.pk, "entry_pk": w.objects["sister_entry"].pk}


def owning_diagnostic(w):
    """The owning CPTS's diagnostic with an annex and one link (made once per world, outside the rolled-back cells)."""
    # Re-made when a test rolled back the rows (the world outlives each test's transaction, its cache does not).
    made = w.objects.get("diagnostic_link")
    if made is None or not type(made).objects.filter(pk=made.pk).exists():
        from django.core.files.uploadedfile import SimpleUploadedFile

        from diagnostics.models import DiagnosticLink
        from diagnostics.services import diagnostic_annex_attach, diagnostic_link_save

        from .world import tiny_pdf

        coordinator = w.users["coordinator"]
        territory = w.cpts.territory
        diagnostic_annex_attach(
            territory=territory, uploaded=SimpleUploadedFile("donnees.pdf", tiny_pdf("Données")), user=coordinator
        )
        link = DiagnosticLink(kind="dac", name="DAC 31", articulation="Réunion trimestrielle.")
        w.objects["diagnostic_link"] = diagnostic_link_save(territory=territory, link=link)
    return {"cpts_pk": w.cpts.pk}


def owning_link(w):
    return {**owning_diagnostic(w), "link_pk": w.objects["diagnostic_link"].pk}


def territory_action(kwargs):
    """A POST-only change of the territory: its coordinator only (an empty form comes back with a message)."""
    return Rule(
        kwargs=kwargs,
        GET=signed_in("405"),
        POST=only("other_coordinator", ok="302"),
    )


RULES = {
    "diagnostics:territory_list": Rule(GET=signed_in("200"), POST=signed_in("405")),
    "diagnostics:commune_search": Rule(GET=signed_in("200"), POST=signed_in("405"), note="données de référence"),
    "diagnostics:indicator_import_national": Rule(GET=only("admin"), POST=only("admin", ok="400")),
    "diagnostics:territory_edit": Rule(kwargs=owning, GET=only(*TERRITORY_READERS), POST=signed_in("405")),
    "diagnostics:territory_commune_add": territory_action(sister),
    "diagnostics:territory_epci_add": territory_action(sister),
    "diagnostics:territory_commune_remove": territory_action(sister_entry),
    "diagnostics:territory_commune_part": Rule(
        kwargs=sister_entry,
        GET=only("other_coordinator"),
        POST=only("other_coordinator"),
        note="le formulaire du périmètre couvert ; vide, il revient avec son erreur",
    ),
    "diagnostics:territory_commune_whole": territory_action(sister_entry),
    "diagnostics:territory_conflict_explain": territory_action(sister_entry),
    "diagnostics:territory_region": territory_action(sister),
    "diagnostics:diagnostic_detail": Rule(kwargs=owning, GET=only(*TERRITORY_READERS), POST=signed_in("405")),
    "diagnostics:diagnostic_edit": Rule(kwargs=owning, GET=only("coordinator"), POST=only("coordinator", ok="302")),
    "diagnostics:diagnostic_annex": Rule(
        kwargs=owning_diagnostic, GET=only(*TERRITORY_READERS), POST=signed_in("405"), note="l'annexe PDF"
    ),
    # The diagnostic's own parts stay open to its coordinator once the letter froze the territory's communes.
    "diagnostics:particularity_edit": Rule(
        kwargs=owning,
        GET=only("coordinator"),
        POST=only("coordinator", ok="302"),
        data=lambda w: {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"},
    ),
    "diagnostics:diagnostic_link_create": Rule(
        kwargs=owning, GET=only("coordinator"), POST=only("coordinator", ok="400"), note="vide, il revient"
    ),
    "diagnostics:diagnostic_link_edit": Rule(
        kwargs=owning_link, GET=only("coordinator"), POST=only("coordinator", ok="400"), note="vide, il revient"
    ),
    "diagnostics:diagnostic_link_delete": Rule(
        kwargs=owning_link, GET=signed_in("405"), POST=only("coordinator", ok="302")
    ),
    "diagnostics:diagnostic_export": Rule(
        kwargs=lambda w: {"cpts_pk": w.cpts.pk, "fmt": "csv"},
        GET=only(*TERRITORY_READERS),
        POST=signed_in("405"),
    ),
    "diagnostics:indicator_import_territory": Rule(
        kwargs=owning, GET=only("coordinator"), POST=only("coordinator", ok="400")
    ),
}
