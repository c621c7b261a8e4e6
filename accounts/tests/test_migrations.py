"""The letter's regional settings become its letter circuit without loss (issue 13, point 4)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("accounts", "0003_french_labels")]
AFTER = [("accounts", "0004_stage_circuits")]


def migrate(targets):
    """Migrate to ``targets`` and return the models as they stand then, each other app at its latest migration that
    needs no later migration of the target apps (a later migration of another app may depend on a newer
    ``accounts``: it is unapplied with it)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    graph = executor.loader.graph
    apps = {app for app, _name in targets}
    allowed = {node for target in targets for node in graph.forwards_plan(target)}

    def fits(node) -> bool:
        return all(a in allowed for a in graph.forwards_plan(node) if a[0] in apps)

    others = []
    for leaf in graph.leaf_nodes():
        if leaf[0] in apps:
            continue
        chain = [node for node in graph.forwards_plan(leaf) if node[0] == leaf[0] and fits(node)]
        if chain:
            others.append(chain[-1])
    return executor.loader.project_state(targets + others).apps


@pytest.mark.django_db(transaction=True)
def test_the_letter_settings_and_their_history_become_the_letter_circuit():
    apps = migrate(BEFORE)
    try:
        Region = apps.get_model("accounts", "Region")
        Organisation = apps.get_model("accounts", "Organisation")
        RegionalSettings = apps.get_model("accounts", "RegionalSettings")
        History = apps.get_model("accounts", "HistoricalRegionalSettings")
        HistoryReviewers = apps.get_model("accounts", "HistoricalRegionalSettings_letter_reviewers")
        OpinionGrid = apps.get_model("projects", "OpinionGrid")
        OpinionGrid.objects.update_or_create(code="lettre-guichet-urps", defaults={"letter_circuit": "guichet_urps"})
        region = Region.objects.create(code="76", name="Occitanie")
        guichet = Organisation.objects.create(name="Guichet", kind="guichet", region=region)
        urps = [
            Organisation.objects.create(name=f"URPS {p}", kind="urps", region=region, profession=p)
            for p in ("medecins", "infirmiers")
        ]
        settings = RegionalSettings.objects.create(
            region=region,
            valid_from=dt.date(2019, 6, 1),
            letter_circuit="guichet_urps",
            letter_desk=guichet,
            opinion_delay_days=18,
        )
        settings.letter_reviewers.set(urps)
        # Two versions by hand (historical models in a migration state do not record themselves).
        first = History.objects.create(
            id=settings.pk,
            region_id=region.pk,
            valid_from=settings.valid_from,
            letter_circuit="guichet_urps",
            letter_desk_id=guichet.pk,
            opinion_delay_days=21,
            history_date=timezone.now() - dt.timedelta(days=30),
            history_type="+",
        )
        HistoryReviewers.objects.create(id=1, history=first, regionalsettings_id=settings.pk, organisation=urps[0])
        second = History.objects.create(
            id=settings.pk,
            region_id=region.pk,
            valid_from=settings.valid_from,
            letter_circuit="guichet_urps",
            letter_desk_id=guichet.pk,
            opinion_delay_days=18,
            history_date=timezone.now(),
            history_type="~",
        )
        for i, org in enumerate(urps, start=2):
            HistoryReviewers.objects.create(id=i, history=second, regionalsettings_id=settings.pk, organisation=org)
        bare = RegionalSettings.objects.create(
            region=region, valid_from=dt.date(2026, 1, 1), letter_circuit="ars_direct", opinion_delay_days=30
        )

        apps = migrate(AFTER)
        StageCircuit = apps.get_model("accounts", "StageCircuit")
        HistoricalCircuit = apps.get_model("accounts", "HistoricalStageCircuit")
        assert StageCircuit.objects.count() == 2
        circuit = StageCircuit.objects.get(settings_id=settings.pk)
        assert (circuit.stage, circuit.desk_id, circuit.opinion_delay_days) == ("letter", guichet.pk, 18)
        assert circuit.grid_code == "lettre-guichet-urps"
        assert {o.pk for o in circuit.reviewers.all()} == {o.pk for o in urps}
        versions = HistoricalCircuit.objects.filter(id=circuit.pk).order_by("history_date")
        assert [(v.history_type, v.opinion_delay_days) for v in versions] == [("+", 21), ("~", 18)]
        HistoricalCircuitReviewers = apps.get_model("accounts", "HistoricalStageCircuit_reviewers")
        reviewers_by_version = [
            sorted(HistoricalCircuitReviewers.objects.filter(history=v).values_list("organisation_id", flat=True))
            for v in versions
        ]
        assert reviewers_by_version == [
            [urps[0].pk],
            sorted(o.pk for o in urps),
        ]
        unset = StageCircuit.objects.get(settings_id=bare.pk)
        assert (unset.desk_id, unset.opinion_delay_days, unset.grid_code) == (None, 30, "")
        assert not unset.reviewers.exists()
        assert HistoricalCircuit.objects.filter(id=unset.pk, history_type="+").count() == 1
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
