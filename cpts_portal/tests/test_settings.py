"""Production settings: deploy checks clean, secrets only from the environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env_extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update({"DJANGO_SETTINGS_MODULE": "cpts_portal.settings.production", **env_extra})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "example.org"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", env_extra={"ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_no_literal_secret_key_in_the_code():
    for path in (ROOT / "cpts_portal" / "settings").glob("*.py"):
        text = path.read_text()
        assert "django-insecure" not in text
        for line in text.splitlines():
            if line.startswith("SECRET_KEY"):
                assert "env(" in line, f"{path.name}: {line}"
