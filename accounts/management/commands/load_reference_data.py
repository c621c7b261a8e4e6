from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.demo import REFERENCE_FIXTURES


class Command(BaseCommand):
    help = (
        "Charge (ou recharge, sans doublon) les données de référence : régions, barèmes ACI, missions, professions, "
        "grilles d'avis… Sans données de démonstration : à utiliser en production."
    )

    def handle(self, *args, **options):
        for fixture in REFERENCE_FIXTURES:
            call_command("loaddata", fixture, verbosity=0)
            self.stdout.write(f"  {fixture}")
        self.stdout.write(self.style.SUCCESS(f"{len(REFERENCE_FIXTURES)} jeux de données de référence chargés."))
