"""Load benchmark: gunicorn on loopback, wrk as a separate process, 20 concurrent users.

Measures in the same run a bare Django view (``/sante/``) and the pages of a dossier, prints p50/p95 and the
ratio of each page's p95 to the bare view's (goal: within 10x). Not part of ``make test``: ``make bench-load``.

It builds its own PostgreSQL database (``cpts_bench``), migrates it, loads the demo world and logs the demo
coordinator in to get a session cookie.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P50=%d P95=%d REQS=%d ERRORS=%d\\n", latency:percentile(50), latency:percentile(95),
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
"""


def _env(db_url):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpts_portal.settings.base",
        "DATABASE_URL": db_url,
        "DEBUG": "false",
        "TWO_FACTOR_REQUIRED": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def _manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def _session_cookie(env, email) -> str:
    code = (
        "from django.contrib.auth import get_user_model; from django.test import Client; "
        f"c = Client(); c.force_login(get_user_model().objects.get(email='{email}')); "
        "print(c.cookies['sessionid'].value)"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def _dossier_paths(env) -> list[str]:
    """Pages of the demo CPTS: its organisation page, and every dossier page the apps expose for it."""
    code = (
        "from accounts.models import Organisation; from django.urls import reverse\n"
        "from projects.models import IntentionLetter\n"
        "o = Organisation.objects.get(name='CPTS du Lauragais (projet)')\n"
        "print(reverse('accounts:organisation_detail', args=[o.pk]))\n"
        "print(reverse('projects:letter_detail', args=[IntentionLetter.objects.filter(cpts=o).first().pk]))\n"
        "for name in ('diagnostics:territory_edit', 'diagnostics:diagnostic_detail', 'governance:member_list',\n"
        "             'missions:plan_detail', 'projects:health_project_detail'):\n"
        "    print(reverse(name, kwargs={'cpts_pk': o.pk}))\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return [line for line in out.stdout.splitlines() if line.startswith("/")]


def _wrk(url, cookie, seconds, connections, script) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, "-H", f"Cookie: sessionid={cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"P50=(\d+) P95=(\d+) REQS=(\d+) ERRORS=(\d+)", out)
    p50, p95, reqs, errors = (int(g) for g in match.groups())
    return {"p50_ms": p50 / 1000, "p95_ms": p95 / 1000, "requests": reqs, "errors": errors, "rps": reqs / seconds}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/cpts_bench")
    args = parser.parse_args()
    env = _env(args.db)
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-c",
            "DROP DATABASE IF EXISTS cpts_bench WITH (FORCE)",
            "-c",
            "CREATE DATABASE cpts_bench",
        ],
        check=True,
        capture_output=True,
    )
    _manage(env, "migrate", "--noinput")
    _manage({**env, "DEBUG": "true"}, "seed_demo")
    _manage(env, "collectstatic", "--noinput")
    cookie = _session_cookie(env, "coordination@demo.portail-cpts.fr")
    paths = _dossier_paths(env)
    port = 8799
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cpts_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "cpts_portal.settings.base"},
    )
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA)
        base = _wrk(f"http://127.0.0.1:{port}/sante/", cookie, args.seconds, args.users, script.name)
        print(f"{args.users} utilisateurs simultanés, {args.workers} workers gunicorn, {args.seconds} s par page")
        print(f"{'page':<45} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'erreurs':>8} {'p95/nu':>8}")
        print(
            f"{'/sante/ (vue nue)':<45} {base['p50_ms']:>8.1f} {base['p95_ms']:>8.1f} {base['rps']:>8.0f} "
            f"{base['errors']:>8} {1:>8.1f}"
        )
        for path in paths:
            r = _wrk(f"http://127.0.0.1:{port}{path}", cookie, args.seconds, args.users, script.name)
            ratio = r["p95_ms"] / base["p95_ms"] if base["p95_ms"] else float("inf")
            print(f"{path:<45} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['rps']:>8.0f} {r['errors']:>8} {ratio:>8.1f}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
