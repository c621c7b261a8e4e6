from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cpts_portal.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restaure une sauvegarde (base de données et fichiers) après vérification de ses sommes de contrôle."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Archive produite par `manage.py backup`.")
        parser.add_argument("--yes", action="store_true", help="Confirmer le remplacement des données actuelles.")

    def handle(self, *args, archive, yes, **options):
        if not yes:
            raise CommandError("La restauration remplace les données actuelles : relancez avec --yes pour confirmer.")
        try:
            manifest = restore_backup(archive=Path(archive))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde du {manifest['created_at']} restaurée."))
