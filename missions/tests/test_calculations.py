"""The pure rules: deadlines, delay warnings, the checklist (each rule failing then passing) and the Gantt."""

import datetime as dt

import pytest

from missions import calculations as calc

SIGNATURE = dt.date(2026, 3, 15)
M1 = calc.MissionFacts("1", "Mission 1 – Accès aux soins", "core", True, True, 6, 18)
M2 = calc.MissionFacts("2", "Mission 2 – Parcours", "core", True, True, 12, 24)
M3 = calc.MissionFacts("3", "Mission 3 – Prévention", "core", True, True, 12, 24)
M4 = calc.MissionFacts("4", "Mission 4 – Crises", "core", False, False, 6, 18)
M5 = calc.MissionFacts("5", "Mission 5 – Qualité", "optional", True, True, None, None)
M6 = calc.MissionFacts("6", "Mission 6 – Accompagnement", "optional", True, True, None, None)
HORS = calc.MissionFacts("hors_aci", "Actions hors champ de l'ACI", "outside", False, True, None, None)
MISSIONS = [M1, M2, M3, M4, M5, M6, HORS]

FUNDING = calc.IndicatorFacts("Part des ALD sans médecin traitant", "result", True, True, True)
ACTION = calc.IndicatorFacts("Nombre de réunions", "action")


def sheet(i, code, *, indicators=(FUNDING,), start=dt.date(2026, 6, 1), deployment=dt.date(2027, 1, 1), **kwargs):
    kwargs.setdefault("end_date", dt.date(2030, 12, 31))
    return calc.SheetFacts(
        i,
        f"Action {i}",
        code,
        start_date=start,
        deployment_date=deployment,
        indicators=tuple(indicators),
        **kwargs,
    )


def complete_sheets():
    return [sheet(1, "1"), sheet(2, "2"), sheet(3, "3"), sheet(4, "4", indicators=(ACTION,))]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 15), 6, dt.date(2026, 9, 15)),
        (dt.date(2026, 3, 15), 18, dt.date(2027, 9, 15)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 3, 15), -3, dt.date(2025, 12, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert calc.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("mission", "start", "deployment"),
    [
        (M1, dt.date(2026, 9, 15), dt.date(2027, 9, 15)),
        (M2, dt.date(2027, 3, 15), dt.date(2028, 3, 15)),
        (M3, dt.date(2027, 3, 15), dt.date(2028, 3, 15)),
        (M4, dt.date(2026, 9, 15), dt.date(2027, 9, 15)),
        (M5, None, None),
        (M6, None, None),
    ],
)
def test_mission_deadlines_follow_the_aci_calendar(mission, start, deployment):
    assert calc.mission_deadlines(mission, SIGNATURE) == calc.MissionDeadlines(start, deployment)


def test_the_complete_plan_passes_every_rule():
    checklist = calc.build_checklist(MISSIONS, complete_sheets(), SIGNATURE)
    assert checklist.is_complete
    assert all(item.ok for item in checklist.items), [i.problems for i in checklist.items if not i.ok]


def test_core_missions_rule_fails_without_an_action_then_passes():
    sheets = complete_sheets()
    failing = calc.build_checklist(MISSIONS, [s for s in sheets if s.mission_code != "4"], SIGNATURE)
    item = failing.item("core_missions")
    assert not item.ok and not failing.is_complete
    assert item.problems == ("Mission 4 – Crises : aucune action.",)
    assert calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("core_missions").ok


def test_optional_missions_are_not_required():
    assert calc.build_checklist(MISSIONS, complete_sheets(), SIGNATURE).item("core_missions").ok


def test_indicator_rule_fails_for_an_action_without_indicator_then_passes():
    sheets = [*complete_sheets(), sheet(5, "2", indicators=())]
    failing = calc.build_checklist(MISSIONS, sheets, SIGNATURE)
    assert failing.item("indicators").problems == ("« Action 5 » : aucun indicateur.",)
    sheets[-1] = sheet(5, "2", indicators=(ACTION,))
    assert calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("indicators").ok


def test_indicator_rule_fails_on_an_empty_plan():
    assert not calc.build_checklist(MISSIONS, [], SIGNATURE).item("indicators").ok


@pytest.mark.parametrize(
    "indicator",
    [
        calc.IndicatorFacts("sans référence", "result", True, False, True),
        calc.IndicatorFacts("sans cible", "result", True, True, False),
        calc.IndicatorFacts("pas de financement", "result", False, True, True),
    ],
)
def test_funding_rule_needs_a_funding_indicator_with_baseline_and_target(indicator):
    sheets = complete_sheets()
    sheets[1] = sheet(2, "2", indicators=(indicator,))
    failing = calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("funding_indicators")
    assert not failing.ok
    assert failing.problems == (
        "Mission 2 – Parcours : aucun indicateur de financement avec valeur de référence et cible.",
    )
    sheets[1] = sheet(2, "2", indicators=(indicator, FUNDING))
    assert calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("funding_indicators").ok


def test_funding_rule_asks_an_engaged_optional_mission_and_never_the_crisis_mission():
    sheets = [*complete_sheets(), sheet(5, "6", indicators=(ACTION,))]
    failing = calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("funding_indicators")
    assert [p.split(" :")[0] for p in failing.problems] == ["Mission 6 – Accompagnement"]
    sheets[-1] = sheet(5, "6", indicators=(FUNDING,))
    assert calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("funding_indicators").ok


def test_actions_outside_the_aci_never_count_for_funding():
    """A funding indicator outside the ACI does not fund mission 1 and is itself a failing rule."""
    sheets = [sheet(1, "1", indicators=(ACTION,)), sheet(2, "2"), sheet(3, "3"), sheet(4, "4", indicators=(ACTION,))]
    sheets.append(sheet(9, "hors_aci", indicators=(FUNDING,)))
    checklist = calc.build_checklist(MISSIONS, sheets, SIGNATURE)
    assert not checklist.item("outside_aci").ok
    assert any(p.startswith("Mission 1") for p in checklist.item("funding_indicators").problems)
    sheets[-1] = sheet(9, "hors_aci", indicators=(ACTION,))
    sheets[0] = sheet(1, "1")
    checklist = calc.build_checklist(MISSIONS, sheets, SIGNATURE)
    assert checklist.item("outside_aci").ok and checklist.is_complete


def test_mission_1_starting_later_than_6_months_after_signature_is_a_warning():
    sheets = complete_sheets()
    sheets[0] = sheet(1, "1", start=dt.date(2026, 10, 1))
    checklist = calc.build_checklist(MISSIONS, sheets, SIGNATURE)
    delays = checklist.item("delays")
    assert not delays.ok and not delays.blocking
    assert checklist.is_complete  # a warning, not a blocking rule
    assert delays.problems == (
        "Mission 1 – Accès aux soins démarre le 01/10/2026, plus de 6 mois après la signature envisagée "
        "(au plus tard le 15/09/2026).",
    )
    sheets[0] = sheet(1, "1", start=dt.date(2026, 9, 15))
    assert calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("delays").ok


def test_a_mission_starts_with_its_first_action():
    sheets = [*complete_sheets(), sheet(5, "1", start=dt.date(2027, 6, 1))]
    assert calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("delays").ok


@pytest.mark.parametrize(
    ("code", "deployment", "expected"),
    [
        ("1", dt.date(2027, 9, 16), "Mission 1 – Accès aux soins est entièrement déployée le 16/09/2027"),
        ("2", dt.date(2028, 3, 16), "Mission 2 – Parcours est entièrement déployée le 16/03/2028"),
        ("4", dt.date(2027, 10, 1), "Mission 4 – Crises est entièrement déployée le 01/10/2027"),
    ],
)
def test_late_full_deployment_is_a_warning(code, deployment, expected):
    sheets = [s for s in complete_sheets() if s.mission_code != code]
    sheets.append(sheet(7, code, deployment=deployment, indicators=(FUNDING,)))
    delays = calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("delays")
    assert len(delays.problems) == 1 and delays.problems[0].startswith(expected)
    sheets[-1] = sheet(7, code, deployment=calc.add_months(deployment, -1), indicators=(FUNDING,))
    assert calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("delays").ok


def test_optional_missions_have_no_delay():
    sheets = [*complete_sheets(), sheet(5, "5", start=dt.date(2029, 1, 1))]
    assert calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("delays").ok


def test_missing_signature_and_missing_dates_are_warnings():
    assert calc.build_checklist(MISSIONS, complete_sheets(), None).item("delays").problems == (
        "Indiquez la date de signature envisagée du contrat ACI : les délais des missions en dépendent.",
    )
    sheets = [*complete_sheets(), sheet(5, "2", start=None, deployment=None), sheet(6, "5", deployment=None)]
    assert calc.build_checklist(MISSIONS, sheets, SIGNATURE).item("delays").problems == (
        "« Action 5 » : indiquez le démarrage et le déploiement complet de l'action.",
    )


def test_gantt_spans_years_n_to_n_plus_4_with_bars_and_deadline_markers():
    sheets = [
        sheet(
            1,
            "1",
            number="1.1",
            preparation_start=dt.date(2024, 6, 1),  # more than 12 months before the signature
            start=dt.date(2026, 6, 1),
            deployment=dt.date(2027, 6, 1),
            end_date=dt.date(2031, 6, 1),
        ),
        sheet(9, "hors_aci", number="H.1", start=dt.date(2027, 1, 1), end_date=dt.date(2028, 1, 1)),
    ]
    chart = calc.gantt_layout(MISSIONS, sheets, SIGNATURE)
    assert [y.label for y in chart.years] == [
        "Avant signature", "Année N", "Année N+1", "Année N+2", "Année N+3", "Année N+4"
    ]  # fmt: skip
    assert (chart.start, chart.end) == (dt.date(2025, 3, 1), dt.date(2031, 3, 15))
    labels = [r.label for r in chart.rows]
    # Core missions always have a row; optional ones only with actions; actions outside the ACI are drawn too.
    assert labels == [
        "Mission 1 – Accès aux soins",
        "1.1 Action 1",
        "Mission 2 – Parcours",
        "Mission 3 – Prévention",
        "Mission 4 – Crises",
        "Actions hors champ de l'ACI",
        "H.1 Action 9",
    ]
    mission_1, action_1 = chart.rows[0], chart.rows[1]
    assert [m.kind for m in mission_1.markers] == ["start_deadline", "deployment_deadline"]
    prep, impl = action_1.bars
    assert (prep.kind, prep.clipped_left) == ("preparation", True)  # started in 2024, before the lead-in
    assert (impl.kind, impl.clipped_right) == ("implementation", True)  # ends in June 2031, after N+4
    assert prep.x == calc.LABEL_WIDTH and impl.x + impl.width == pytest.approx(calc.LABEL_WIDTH + calc.CHART_WIDTH)
    assert chart.out_of_range == ("« Action 1 » dépasse les années N à N+4 : la barre est tronquée.",)
    assert chart.rows[2].note == "aucune action"
    assert chart.years[1].x == chart.signature_x < chart.years[2].x


@pytest.mark.parametrize(
    ("preparation", "window_start", "first_column"),
    [
        (dt.date(2027, 10, 1), dt.date(2027, 10, 1), "Année N"),  # nothing before the signature: no lead-in
        (dt.date(2027, 8, 15), dt.date(2027, 4, 1), "Avant"),  # at least 6 months of lead-in
        (dt.date(2027, 1, 10), dt.date(2027, 1, 1), "Avant signature"),
    ],
)
def test_gantt_years_are_contract_years_from_the_signature(preparation, window_start, first_column):
    """Issue 12 §9: a signature on 01/10/2027 cut every bar ending in 2032 (the window was January to January)."""
    signature = dt.date(2027, 10, 1)
    sheets = [
        sheet(1, "1", number="1.1", preparation_start=preparation, start=dt.date(2028, 1, 1),
              deployment=dt.date(2029, 7, 1), end_date=calc.add_months(signature, 59))
    ]  # fmt: skip
    chart = calc.gantt_layout(MISSIONS, sheets, signature)
    assert (chart.start, chart.end, chart.last_day) == (window_start, dt.date(2032, 10, 1), dt.date(2032, 9, 30))
    assert chart.years[0].label == first_column and chart.years[-1].label == "Année N+4"
    assert chart.out_of_range == ()
    assert not any(b.clipped_left or b.clipped_right for b in chart.rows[1].bars)
    year_n = next(y for y in chart.years if y.label == "Année N")
    assert year_n.x == pytest.approx(chart.signature_x)
