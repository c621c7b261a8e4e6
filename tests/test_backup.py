"""Backup then restore into an empty PostgreSQL database: every row of every table and every file comes back."""

import tarfile

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from cpts_portal.backup import BackupError, DatabaseTarget, create_backup, restore_backup

pytestmark = [pytest.mark.integration]


@pytest.fixture
def empty_database(transactional_db):
    target = DatabaseTarget.from_connection()
    name = f"{target.name}_restore"
    admin = psycopg.connect(f"host={target.host or '127.0.0.1'} user={target.user} dbname=postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    yield DatabaseTarget(vendor="postgresql", name=name, host=target.host, port=target.port, user=target.user)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _row_counts_in(target: DatabaseTarget) -> dict[str, int]:
    with psycopg.connect(target.libpq_url()) as conn:
        return {
            model._meta.db_table: conn.execute(f'SELECT count(*) FROM "{model._meta.db_table}"').fetchone()[0]
            for model in apps.get_models()
        }


def test_a_backup_restores_every_row_and_file_into_an_empty_database(empty_database, tmp_path):
    with override_settings(DEBUG=True):
        call_command("seed_demo")
    media = tmp_path / "media"
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "statuts.pdf").write_bytes(b"%PDF-1.7 statuts")
    source_counts = _row_counts_in(DatabaseTarget.from_connection())
    assert source_counts["accounts_organisation"] > 0

    archive = create_backup(output_dir=tmp_path / "backups", media_root=media)
    restored_media = tmp_path / "restored-media"
    manifest = restore_backup(archive=archive, database=empty_database, media_root=restored_media)

    assert manifest["database_vendor"] == "postgresql"
    assert _row_counts_in(empty_database) == source_counts
    assert (restored_media / "documents" / "statuts.pdf").read_bytes() == b"%PDF-1.7 statuts"
    connection.close()


def test_a_restored_backup_finds_every_dossier_version_and_pdf(empty_database, tmp_path, settings, cpts, owner):
    """A submitted letter (its frozen version and its rendered PDF) survives backup and restore byte for byte."""
    import hashlib

    from projects.models import DossierVersion, IntentionLetter, RenderedDocument
    from projects.tests.factories import complete_letter, occitanie_circuit
    from projects.workflows.letter_services import letter_submit

    settings.MEDIA_ROOT = str(tmp_path / "media")
    occitanie_circuit(cpts.region)
    letter = complete_letter(cpts)
    letter_submit(letter=letter, by=owner)
    document = RenderedDocument.objects.get(version__number=1)
    assert document.file and document.status == "ready"
    pdf_bytes = document.file.read()

    archive = create_backup(output_dir=tmp_path / "backups", media_root=tmp_path / "media")
    restored_media = tmp_path / "restored-media"
    restore_backup(archive=archive, database=empty_database, media_root=restored_media)

    with psycopg.connect(empty_database.libpq_url()) as conn:
        rows = lambda model: conn.execute(f'SELECT count(*) FROM "{model._meta.db_table}"').fetchone()[0]  # noqa: E731
        assert rows(IntentionLetter) == 1 and rows(DossierVersion) == 1 and rows(RenderedDocument) == 1
        name, sha = conn.execute(f'SELECT file, sha256 FROM "{RenderedDocument._meta.db_table}"').fetchone()
    restored = (restored_media / name).read_bytes()
    assert restored == pdf_bytes and hashlib.sha256(restored).hexdigest() == sha
    connection.close()


def test_a_tampered_backup_is_refused_before_anything_is_touched(empty_database, tmp_path):
    archive = create_backup(output_dir=tmp_path, media_root=tmp_path / "none")
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "database.dump":
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            import io

            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="Somme de contrôle incorrecte"):
        restore_backup(archive=tampered, database=empty_database, media_root=tmp_path / "m")
    assert _row_counts_in_or_empty(empty_database) == {}


def _row_counts_in_or_empty(target):
    with psycopg.connect(target.libpq_url()) as conn:
        return dict(conn.execute("SELECT tablename, 0 FROM pg_tables WHERE schemaname = 'public'").fetchall())


def test_restore_requires_confirmation():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", "x.tar")
