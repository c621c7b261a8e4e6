from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cpts_portal.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers déposés dans une archive avec sommes de contrôle."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default="var/backups", help="Dossier où écrire l'archive.")

    def handle(self, *args, output_dir, **options):
        try:
            archive = create_backup(output_dir=Path(output_dir))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite : {archive}"))
