"""Compute the 5-year ACI funding of a CPTS from the command line (for operators, and to check the figures).

python manage.py aci_funding (--taille N | --population P) --missions 1,2,3,4[,5][,6] --signed-on YYYY-MM-DD
    [--members M] [--scale CODE] [--achievement R] [--crisis-years 2,4] [--format table|json] [--schedule]
"""

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from funding import calculations as calc
from funding.services import funding_plan_compute

COLUMNS = [
    ("year", "Année"),
    (calc.OPERATION, "Fonctionnement"),
    (calc.ADDITIONAL_OPERATION, "Fonct. additionnel"),
    (calc.FIXED, "Volet fixe"),
    (calc.VARIABLE, "Volet variable"),
    (calc.CRISIS, "Crise"),
    (calc.INCREASE, "Majoration"),
    ("total", "Total"),
]


def _int_list(text: str, what: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"{what} : « {text} » n'est pas une liste de nombres séparés par des virgules.") from None


def _amount(value) -> str:
    return f"{calc.money(value):f}"


def _euros(value) -> str:
    # Plain spaces in a terminal: narrow no-break spaces misalign columns in many fonts.
    return calc.euros(value).replace("\u202f", " ").replace("\u00a0", " ")


class Command(BaseCommand):
    help = "Calcule le financement ACI d'une CPTS sur 5 ans (barème en vigueur à la date de signature par défaut)."

    def add_arguments(self, parser):
        # Taille or population: one of them, checked by the calculator so the refusal is in French.
        parser.add_argument("--taille", type=int, help="Taille de la CPTS (1 à 4).")
        parser.add_argument("--population", type=int, help="Population du territoire (la taille en découle).")
        parser.add_argument("--missions", required=True, help="Missions engagées, ex. 1,2,3,4,5,6.")
        parser.add_argument("--signed-on", required=True, help="Date de signature de l'ACI (AAAA-MM-JJ).")
        parser.add_argument("--members", type=int, default=0, help="Nombre de membres (taille 4++).")
        parser.add_argument("--scale", default=None, help="Code du barème (par défaut : celui en vigueur).")
        parser.add_argument("--achievement", default="1", help="Taux d'atteinte des volets variables (0 à 1).")
        parser.add_argument("--crisis-years", default="", help="Années du contrat avec une crise, ex. 2,4.")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument("--schedule", action="store_true", help="Affiche aussi le calendrier des versements.")

    def handle(self, *args, **options):
        try:
            signed_on = dt.date.fromisoformat(options["signed_on"])
        except ValueError:
            raise CommandError(
                f"Date de signature invalide : « {options['signed_on']} » (attendu AAAA-MM-JJ)."
            ) from None
        missions = [code.strip() for code in options["missions"].split(",") if code.strip()]
        try:
            achievement = calc.to_decimal(options["achievement"], what="Taux d'atteinte")
            plan = funding_plan_compute(
                signed_on=signed_on,
                missions=missions,
                taille=options["taille"],
                population=options["population"],
                members=options["members"],
                scale_code=options["scale"],
                achievement=achievement,
                crisis_years=_int_list(options["crisis_years"], "Années de crise"),
            )
        except calc.FundingError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(self.as_json(plan, options["schedule"]), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self.as_table(plan, options["schedule"]))

    @staticmethod
    def as_json(plan: calc.FundingPlan, schedule: bool) -> dict:
        data = {
            "scale": plan.scale_code,
            "taille": plan.taille,
            "years": [
                {
                    "year": y.year,
                    **{kind: _amount(y.amount(kind)) for kind in calc.LINE_KINDS},
                    "total": _amount(y.total),
                }
                for y in plan.years
            ],
            "total": _amount(plan.total),
        }
        if schedule:
            data["payments"] = [
                {
                    "due_on": p.due_on.isoformat(),
                    "latest_on": p.latest_on.isoformat(),
                    "year": p.year,
                    "kind": p.kind,
                    "mission": p.mission,
                    "label": p.label,
                    "amount": _amount(p.amount),
                }
                for p in plan.payments
            ]
        return data

    @staticmethod
    def as_table(plan: calc.FundingPlan, schedule: bool) -> str:
        rows = [[label for _key, label in COLUMNS]]
        for y in plan.years:
            rows.append([str(y.year)] + [_euros(y.amount(kind)) for kind in calc.LINE_KINDS] + [_euros(y.total)])
        rows.append(["Total 5 ans"] + [_euros(plan.amount(kind)) for kind in calc.LINE_KINDS] + [_euros(plan.total)])
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        lines = [
            f"Barème : {plan.scale_name} ({plan.scale_code}) – taille {plan.taille} – signature le "
            f"{calc.french_date(plan.signed_on)} – missions {', '.join(plan.missions)}"
            + (" – majoration taille 4++" if plan.increase_applies else ""),
            "",
        ]
        for index, row in enumerate(rows):
            lines.append("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
            if index == 0 or index == len(rows) - 2:
                lines.append("  ".join("-" * width for width in widths))
        if schedule:
            lines += ["", "Calendrier des versements :"]
            for p in plan.payments:
                lines.append(
                    f"{calc.french_date(p.due_on)} (au plus tard {calc.french_date(p.latest_on)})  "
                    f"{_euros(p.amount).rjust(14)}  {p.label}"
                )
        return "\n".join(lines)
