"""Backups: the database (pg_dump custom format, or the SQLite file) and the uploaded files, with checksums.

A backup is one tar archive holding ``manifest.json`` (what is inside and the SHA-256 of every member),
``database.dump`` (or ``database.sqlite3``) and ``media.tar.gz``. ``restore_backup`` verifies every checksum
before it touches anything.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connections
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message is French."""


@dataclass(frozen=True)
class DatabaseTarget:
    vendor: str
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_connection(cls, alias: str = "default") -> DatabaseTarget:
        s = connections[alias].settings_dict
        return cls(
            vendor=connections[alias].vendor,
            name=str(s["NAME"]),
            host=s.get("HOST") or "",
            port=str(s.get("PORT") or ""),
            user=s.get("USER") or "",
            password=s.get("PASSWORD") or "",
        )

    def libpq_url(self) -> str:
        auth = quote(self.user) + (f":{quote(self.password)}" if self.password else "")
        host = self.host or "127.0.0.1"
        port = f":{self.port}" if self.port else ""
        return f"postgresql://{auth}@{host}{port}/{quote(self.name)}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)  # noqa: S603 (fixed binaries, no shell)
    if result.returncode != 0:
        raise BackupError(f"La commande {command[0]} a échoué : {result.stderr.strip()[:2000]}")


def create_backup(*, output_dir: Path, database: DatabaseTarget | None = None, media_root: Path | None = None) -> Path:
    """Write a backup archive in ``output_dir`` and return its path."""
    database = database or DatabaseTarget.from_connection()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if database.vendor == "postgresql":
            db_file = work / "database.dump"
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={db_file}",
                    database.libpq_url(),
                ]
            )
        elif database.vendor == "sqlite":
            db_file = work / "database.sqlite3"
            shutil.copyfile(database.name, db_file)
        else:
            raise BackupError(f"Base de données non prise en charge : {database.vendor}.")
        media_file = work / "media.tar.gz"
        with tarfile.open(media_file, "w:gz") as media:
            if media_root.exists():
                media.add(media_root, arcname="media")
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "database_vendor": database.vendor,
            "files": {p.name: _sha256(p) for p in (db_file, media_file)},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        archive = output_dir / f"cpts-backup-{stamp}.tar"
        with tarfile.open(archive, "w") as tar:
            for name in (MANIFEST, db_file.name, media_file.name):
                tar.add(work / name, arcname=name)
    return archive


def _safe_extract(tar: tarfile.TarFile, target: Path) -> None:
    tar.extractall(target, filter="data")


def restore_backup(*, archive: Path, database: DatabaseTarget | None = None, media_root: Path | None = None) -> dict:
    """Check every checksum, then restore the database and the uploaded files; return the manifest."""
    database = database or DatabaseTarget.from_connection()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(archive) as tar:
                _safe_extract(tar, work)
            manifest = json.loads((work / MANIFEST).read_text())
        except (tarfile.TarError, OSError, ValueError) as exc:
            raise BackupError(f"Archive de sauvegarde illisible : {exc}") from exc
        for name, expected in manifest["files"].items():
            if not (work / name).exists() or _sha256(work / name) != expected:
                raise BackupError(f"Somme de contrôle incorrecte pour {name} : la sauvegarde est altérée.")
        if manifest["database_vendor"] != database.vendor:
            raise BackupError("La sauvegarde vient d'un autre type de base de données.")
        if database.vendor == "postgresql":
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--dbname={database.libpq_url()}",
                    str(work / "database.dump"),
                ]
            )
        else:
            shutil.copyfile(work / "database.sqlite3", database.name)
        with tarfile.open(work / "media.tar.gz") as media:
            extracted = work / "media-extracted"
            _safe_extract(media, extracted)
        source = extracted / "media"
        if source.exists():
            media_root.mkdir(parents=True, exist_ok=True)
            shutil.copytree(source, media_root, dirs_exist_ok=True)
    return manifest


def describe(archive: Path) -> str:
    with tarfile.open(archive) as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"Archive de sauvegarde illisible : {MANIFEST} n'est pas un fichier.")
        manifest = json.load(io.TextIOWrapper(member))
    return json.dumps(manifest, indent=2)
