from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Charge les données de référence et un monde de démonstration (idempotent), puis affiche les identifiants."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true", help="Autoriser le chargement hors DEBUG.")

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Les données de démonstration ne se chargent qu'en mode DEBUG (ou avec --allow-production)."
            )
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes. Identifiants (mot de passe commun) :"))
        self.stdout.write(f"  mot de passe : {DEMO_PASSWORD}")
        for login in logins:
            self.stdout.write(f"  {login.email:<40} {login.role:<14} {login.organisation}")
