from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.tasks import worker_heartbeat


class Command(BaseCommand):
    help = "Vérifie la base de données et, si Redis est configuré, qu'un worker Celery exécute les tâches."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, timeout, **options):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        self.stdout.write("Base de données : OK")
        try:
            result = worker_heartbeat.delay().get(timeout=timeout)
        except Exception as exc:
            raise CommandError(f"Aucun worker Celery n'a répondu ({exc}).") from exc
        self.stdout.write(f"Worker Celery : OK ({result['regions']} régions vues)")
