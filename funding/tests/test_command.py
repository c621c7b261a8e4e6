"""``manage.py aci_funding`` reproduces the worked examples, in JSON and as a French table, and refuses bad input."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from funding.management.commands.aci_funding import Command

pytestmark = pytest.mark.django_db

COMMAND_EXAMPLES = [
    # id, arguments, year totals, 5-year total
    (
        "illustration-1",
        "--taille 2 --missions 1,2,3,4 --signed-on 2022-03-01",
        [340000, 277500, 277500, 277500, 277500],
        1450000,
    ),
    (
        "illustration-1-crisis",
        "--taille 2 --missions 1,2,3,4 --signed-on 2022-03-01 --crisis-years 2",
        [340000, 330000, 277500, 277500, 277500],
        1502500,
    ),
    (
        "illustration-2",
        "--taille 4 --missions 1,2,3,4,5,6 --signed-on 2023-01-15",
        [505000, 480000, 480000, 480000, 480000],
        2425000,
    ),
    (
        "illustration-2-crises",
        "--population 250000 --missions 1,2,3,4,5,6 --signed-on 2023-01-15 --crisis-years 2,4",
        [505000, 555000, 480000, 555000, 480000],
        2575000,
    ),
    (
        "illustration-2-members",
        "--taille 4 --missions 1,2,3,4,5,6 --signed-on 2023-01-15 --members 101",
        [555500, 528000, 528000, 528000, 528000],
        2667500,
    ),
    (
        "aci-2019-taille-1",
        "--taille 1 --missions 1,2,3,5,6 --signed-on 2020-01-06 --scale aci-2019",
        [220000] * 5,
        1100000,
    ),
    ("aci-2019-taille-4", "--population 175001 --missions 1,2,3,5,6 --signed-on 2020-01-06", [450000] * 5, 2250000),
    (
        "achievement-80",
        "--taille 2 --missions 1,2,3,4 --signed-on 2022-03-01 --achievement 0.8",
        [324000, 261500, 261500, 261500, 261500],
        1370000,
    ),
]

CROSS_CHECKS = [(1, 287500), (2, 382500), (3, 487500), (4, 580000)]


def run_json(arguments: str) -> dict:
    out = StringIO()
    call_command("aci_funding", *arguments.split(), "--format", "json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("arguments", "years", "total"), [e[1:] for e in COMMAND_EXAMPLES], ids=[e[0] for e in COMMAND_EXAMPLES]
)
def test_json_output_reproduces_the_examples(scales, arguments, years, total):
    data = run_json(arguments)
    assert [y["total"] for y in data["years"]] == [f"{t}.00" for t in years]
    assert data["total"] == f"{total}.00"
    assert set(data) == {"scale", "taille", "years", "total"}
    assert list(data["years"][0]) == [
        "year",
        "operation",
        "additional_operation",
        "fixed",
        "variable",
        "crisis",
        "increase",
        "total",
    ]


def test_json_output_of_illustration_1_line_by_line(scales):
    data = run_json("--taille 2 --missions 1,2,3,4 --signed-on 2022-03-01")
    assert data["scale"] == "aci-2019-avenant-2" and data["taille"] == 2
    assert data["years"][0] == {
        "year": 1,
        "operation": "60000.00",
        "additional_operation": "45000.00",
        "fixed": "155000.00",
        "variable": "80000.00",
        "crisis": "0.00",
        "increase": "0.00",
        "total": "340000.00",
    }
    assert data["years"][1]["fixed"] == "137500.00"


def test_json_output_of_illustration_2_with_members(scales):
    data = run_json("--taille 4 --missions 1,2,3,4,5,6 --signed-on 2023-01-15 --members 150")
    assert [y["increase"] for y in data["years"]] == ["50500.00", "48000.00", "48000.00", "48000.00", "48000.00"]


@pytest.mark.parametrize(("taille", "total_possible"), CROSS_CHECKS)
def test_cross_check_totals_through_the_command(scales, taille, total_possible):
    data = run_json(f"--taille {taille} --missions 1,2,3,4,5,6 --signed-on 2023-01-15 --crisis-years 1")
    year_1 = data["years"][0]
    assert year_1["total"] == f"{total_possible}.00"


@pytest.mark.parametrize(
    ("arguments", "years", "total"), [e[1:] for e in COMMAND_EXAMPLES], ids=[e[0] for e in COMMAND_EXAMPLES]
)
def test_table_output_reproduces_the_examples(scales, arguments, years, total):
    out = StringIO()
    call_command("aci_funding", *arguments.split(), stdout=out)
    text = out.getvalue()
    rows = [line.split() for line in text.splitlines()]
    year_rows = [r for r in rows if r and r[0] in {"1", "2", "3", "4", "5"}]
    assert len(year_rows) == 5

    def french(amount):
        return f"{amount:,}".replace(",", " ") + " €"

    for row, expected in zip(year_rows, years, strict=True):
        assert " ".join(row).endswith(french(expected))
    assert "Total 5 ans" in text
    total_row = next(line for line in text.splitlines() if line.strip().startswith("Total 5 ans"))
    assert total_row.rstrip().endswith(french(total))
    assert "Barème : " in text and "Fonctionnement" in text and "Volet variable" in text


def test_table_with_the_payment_schedule(scales):
    out = StringIO()
    call_command("aci_funding", *"--taille 2 --missions 1,2,3,4 --signed-on 2023-01-31 --schedule".split(), stdout=out)
    text = out.getvalue()
    assert "Calendrier des versements" in text
    assert "31/01/2024 (au plus tard 31/03/2024)" in text
    assert "Mission 1 – avance de 75 % du volet fixe, année 1" in text


def test_json_with_the_payment_schedule(scales):
    out = StringIO()
    call_command(
        "aci_funding",
        *"--taille 2 --missions 1,2,3,4 --signed-on 2023-01-31 --schedule --format json".split(),
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert sum(Decimal(p["amount"]) for p in data["payments"]) == Decimal(data["total"])


REFUSALS = [
    ("--taille 2 --missions 1,2 --signed-on 2023-01-01", "il manque : 3 – Prévention, 4 – Crises sanitaires graves"),
    ("--taille 2 --missions 1,2,3,4,9 --signed-on 2023-01-01", "Mission inconnue"),
    ("--taille 7 --missions 1,2,3,4 --signed-on 2023-01-01", "La taille doit être 1, 2, 3 ou 4"),
    ("--population 0 --missions 1,2,3,4 --signed-on 2023-01-01", "La population doit être"),
    ("--taille 2 --missions 1,2,3,4 --signed-on 2023-13-01", "Date de signature invalide"),
    ("--taille 2 --missions 1,2,3,4 --signed-on 2018-01-01", "Aucun barème ACI n'est en vigueur au 01/01/2018"),
    ("--taille 2 --missions 1,2,3 --signed-on 2023-01-01 --scale aci-2019", "n'est pas en vigueur au 01/01/2023"),
    ("--taille 2 --missions 1,2,3,4 --signed-on 2023-01-01 --scale inconnu", "Barème inconnu"),
    ("--taille 2 --missions 1,2,3,4 --signed-on 2023-01-01 --achievement 1.5", "entre 0 et 100 %"),
    ("--taille 2 --missions 1,2,3,4 --signed-on 2023-01-01 --achievement beaucoup", "n'est pas un nombre"),
    ("--taille 2 --missions 1,2,3,4 --signed-on 2023-01-01 --crisis-years 6", "Année de crise 6"),
    ("--taille 2 --missions 1,2,3,4 --signed-on 2023-01-01 --crisis-years 2,x", "n'est pas une liste"),
    ("--taille 2 --missions 1,2,3,4 --signed-on 2023-01-01 --members -4", "nombre de membres"),
]


@pytest.mark.parametrize(("arguments", "message"), REFUSALS)
def test_invalid_input_exits_non_zero_with_the_french_message_on_stderr(scales, capsys, arguments, message):
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "aci_funding", *arguments.split()])
    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("--taille 2 --population 50000", "pas les deux"),
        ("", "Indiquez la taille de la CPTS ou la population"),
    ],
)
def test_taille_or_population_exactly_one(scales, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("aci_funding", *arguments.split(), "--missions", "1,2,3,4", "--signed-on", "2023-01-01")
