"""Load benchmark (issue 14, points 2 and 6): gunicorn with production settings on loopback, wrk as a separate
process, 20 concurrent users; each page's p95 against a bare Django view's p95 measured in the same run.

What it measures, and how it keeps the figures honest:

- The reference is ``/sante/`` (``cpts_portal.views.health``: a JSON answer, no template, no query), requested
  with NO cookie: no session is loaded or saved, so it costs the middleware stack's minimum.
- The dossier page (the letter's page) as a REVIEWER: the Guichet desk of Occitanie (two-factor verified, as
  production requires) on a dossier with 3 versions and the 10 URPS opinions on the current one (the goal, point
  6), and as one of the URPS; then the coordinator's pages of the demo CPTS (its organisation, its validated letter,
  territory, diagnostic, members, action plan, health project: the demo world is whole, communes loaded).
- Production settings (``cpts_portal.settings.production``: ``DEBUG`` off, Redis cache, ``CONN_MAX_AGE`` as
  production sets it, manifest static files, HTTPS redirect, HSTS, secure cookies). Every request carries
  ``X-Forwarded-Proto: https``, as the TLS-terminating proxy in front of production does (``SECURE_PROXY_SSL_HEADER``),
  so the HTTPS redirect stays on and plain http on loopback is answered as production answers it: no setting is
  relaxed for the benchmark.
- wrk's ``--timeout`` (30 s) is above the slowest request, and the Lua script counts timeouts, socket errors and
  every non-2xx answer (a 3xx too: a redirect to the login page is an error, not a fast page). Any error fails the
  run (exit 1), after the figures are printed. A missed ratio does not (noise on a shared machine).
- A warm-up pass requests every URL before anything is measured; then ``--rounds`` rounds, each of which runs, for
  every page, a short bare sample and a short page sample back to back (alternating which comes first), so that
  noise hits both. A page's figure is the median over rounds of its samples' p95, the reference the median of the
  bare samples paired with it.
- It never drops a database it did not create: without ``--db`` it creates ``cpts_bench_<pid>`` and drops that one
  at the end; with ``--db`` it uses that database as is (migrated, demo and bench dossier added, idempotent) and
  never drops it.

Run it with ``make bench-load`` (``--help`` for the options). The data are built with local settings (Celery eager,
so that the submissions' PDFs are rendered in-process and nothing is queued on the shared Redis); the cookies are
made and the pages served with production settings.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make ``tests.benchmarks.report`` importable
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import report  # noqa: E402

PG = ["-h", "127.0.0.1", "-U", "postgres"]
PROXY_HEADER = "X-Forwarded-Proto: https"
BENCH_CPTS = "CPTS du banc d'essai (charge)"
GUICHET_EMAIL = "guichet@demo.portail-cpts.fr"
URPS_EMAIL = "urps-medecins@demo.portail-cpts.fr"
COORDINATOR_EMAIL = "coordination@demo.portail-cpts.fr"

# Counts every answer outside 2xx (wrk's own summary.errors.status counts only > 399), per thread, summed in done().
LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0; redirects = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  if status >= 300 and status < 400 then redirects = redirects + 1 end
end
function done(summary, latency, requests)
  local bad, moved = 0, 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx"); moved = moved + t:get("redirects") end
  io.write(string.format("RESULT p50=%d p95=%d max=%d reqs=%d non2xx=%d redirects=%d timeouts=%d sockerr=%d\\n",
    latency:percentile(50), latency:percentile(95), latency.max, summary.requests, bad, moved,
    summary.errors.timeout, summary.errors.connect + summary.errors.read + summary.errors.write))
end
"""


# --- Run inside Django (``manage.py shell``), called by the benchmark -------------------------------------------


def build_reviewer_dossier() -> None:
    """The dossier a reviewer reads: a CPTS of Occitanie whose letter has 3 versions (the Guichet asked twice for
    complements) and the opinions of the 10 URPS on version 3, with messages and a note. Idempotent. Run with
    local settings (Celery eager: nothing is queued on the shared Redis)."""
    from django.db import transaction

    from accounts.choices import OrganisationKind, Role
    from accounts.models import Membership, Organisation, Region, User
    from accounts.tests.factories import MembershipFactory
    from diagnostics.models import Commune, Territory, TerritoryCommune
    from projects.choices import Assessment, ComplementReason
    from projects.models import IntentionLetter
    from projects.services import message_post, note_add, opinion_give
    from projects.tests.factories import complete_letter
    from projects.tests.walk import answers_for
    from projects.workflows.letter_services import letter_open_review, letter_request_complements, letter_submit

    region = Region.objects.get(code="76")
    cpts, _created = Organisation.objects.get_or_create(name=BENCH_CPTS, kind=OrganisationKind.CPTS, region=region)
    if IntentionLetter.objects.filter(cpts=cpts, current_version_number__gte=3).exists():
        return
    with transaction.atomic():
        coordinator = (
            Membership.objects.filter(organisation=cpts, role=Role.COORDINATOR).first()
            or MembershipFactory(organisation=cpts, role=Role.COORDINATOR, user__email="coordination-banc@exemple.fr")
        ).user
        territory = Territory.objects.create(cpts=cpts, instructing_region=region)
        for code, name, population in (("31901", "Banc-sur-Hers", 5_200), ("31902", "Charge-la-Ville", 8_700)):
            commune, _created = Commune.objects.get_or_create(
                insee_code=code,
                defaults={"name": name, "postal_codes": [f"3{code[1:]}"], "population": population, "region": region},
            )
            TerritoryCommune.objects.create(territory=territory, commune=commune)
        letter = complete_letter(cpts, with_territory=False)
        desk_user = User.objects.get(email=GUICHET_EMAIL)
        for n in (1, 2):
            letter_submit(letter=letter, by=coordinator)
            letter_open_review(letter=letter, by=desk_user)
            letter_request_complements(
                letter=letter,
                by=desk_user,
                reason=ComplementReason.INCOMPLETE,
                message=f"Compléments demandés (tour {n}) : précisez les besoins et l'équipe projet.",
                field_comments={"needs": "Appuyez les besoins sur les chiffres du diagnostic."},
            )
            message_post(letter=letter, by=coordinator, body=f"Réponse aux compléments du tour {n}.")
            letter.refresh_from_db()
            letter.needs += f" Précisions apportées au tour {n}."
            letter.save()
        letter_submit(letter=letter, by=coordinator)
        letter_open_review(letter=letter, by=desk_user)
        urps = Organisation.objects.filter(region=region, kind=OrganisationKind.URPS).order_by("pk")
        for i, organisation in enumerate(urps):
            reviewer = Membership.objects.get(organisation=organisation, role=Role.REVIEWER).user
            overall = Assessment.RESERVED if i % 4 == 3 else Assessment.FAVORABLE
            opinion_give(
                letter=letter,
                by=reviewer,
                overall=overall,
                comment="Avis motivé : le projet répond aux besoins du territoire.",
                answers=answers_for(letter, overall),
            )
        note_add(letter=letter, by=desk_user, body="Les dix URPS ont répondu : consolider puis transmettre.")
        letter.refresh_from_db()
        assert letter.current_version_number == 3, letter.current_version_number
        from projects.models import Opinion

        assert (
            Opinion.objects.filter(
                version__object_id=letter.pk, version__number=3, version__content_type__model="intentionletter"
            ).count()
            == 10
        )


def sessions_and_paths() -> None:
    """Print (JSON) the session cookies of the personas and the pages to measure. Run with production settings:
    a session is signed with the SECRET_KEY of the server that reads it. The Guichet and the URPS reviewer must
    confirm a second factor in production: their sessions carry a confirmed TOTP device, as after a login."""
    from django.test import Client
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Organisation, User
    from projects.models import IntentionLetter

    def cookie(email: str, *, otp: bool) -> str:
        user = User.objects.get(email=email)
        client = Client()
        client.force_login(user)
        if otp:
            device, _created = TOTPDevice.objects.get_or_create(user=user, name="banc d'essai", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client.cookies["sessionid"].value

    bench_letter = IntentionLetter.objects.get(cpts__name=BENCH_CPTS)
    demo = Organisation.objects.get(name="CPTS du Lauragais (projet)")
    demo_letter = IntentionLetter.objects.filter(cpts=demo).order_by("pk").first()
    cookies = {
        "guichet": cookie(GUICHET_EMAIL, otp=True),
        "urps": cookie(URPS_EMAIL, otp=True),
        "coordinator": cookie(COORDINATOR_EMAIL, otp=False),
    }
    letter_url = reverse("projects:letter_detail", args=[bench_letter.pk])
    pages = [
        ("dossier (Guichet, 10 avis, 3 versions)", letter_url, "guichet"),
        ("dossier (URPS, 10 avis, 3 versions)", letter_url, "urps"),
        ("CPTS (coordination)", reverse("accounts:organisation_detail", args=[demo.pk]), "coordinator"),
        ("dossier (coordination)", reverse("projects:letter_detail", args=[demo_letter.pk]), "coordinator"),
    ]
    for label, name in (
        ("territoire", "diagnostics:territory_edit"),
        ("diagnostic", "diagnostics:diagnostic_detail"),
        ("adhérents", "governance:member_list"),
        ("plan d'action", "missions:plan_detail"),
        ("projet de santé", "projects:health_project_detail"),
    ):
        pages.append((f"{label} (coordination)", reverse(name, kwargs={"cpts_pk": demo.pk}), "coordinator"))
    print("BENCH-JSON " + json.dumps({"cookies": cookies, "pages": pages}))


# --- The benchmark ------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    p50_ms: float
    p95_ms: float
    max_ms: float
    requests: int
    non2xx: int
    redirects: int
    timeouts: int
    socket_errors: int
    seconds: float

    @property
    def errors(self) -> int:
        return self.non2xx + self.timeouts + self.socket_errors


@dataclass
class Page:
    label: str
    path: str
    persona: str | None  # None: no cookie (the bare view)
    samples: list[Sample] = field(default_factory=list)
    paired_bare: list[Sample] = field(default_factory=list)

    @property
    def p95_ms(self) -> float:
        return statistics.median(s.p95_ms for s in self.samples)

    @property
    def bare_p95_ms(self) -> float:
        return statistics.median(s.p95_ms for s in self.paired_bare)

    def total(self, attr: str) -> int:
        return sum(getattr(s, attr) for s in self.samples)


def _run(cmd, env, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)  # noqa: S603
    if result.returncode:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"échec : {' '.join(map(str, cmd[:4]))} (code {result.returncode})")
    return result


def _manage(env, *args) -> subprocess.CompletedProcess:
    return _run([sys.executable, "manage.py", *args], env)


def _shell(env, code: str) -> str:
    return _manage(env, "shell", "-c", code).stdout


def _wrk(url, headers, *, seconds, connections, timeout, script) -> Sample:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s", "-s", script]
    for header in headers:
        cmd += ["-H", header]
    out = _run([*cmd, url], os.environ).stdout
    match = re.search(
        r"RESULT p50=(\d+) p95=(\d+) max=(\d+) reqs=(\d+) non2xx=(\d+) redirects=(\d+) timeouts=(\d+) sockerr=(\d+)",
        out,
    )
    if match is None:
        raise SystemExit(f"wrk n'a pas rendu de résultat pour {url} :\n{out}")
    p50, p95, top, reqs, non2xx, redirects, timeouts, sockerr = (int(g) for g in match.groups())
    return Sample(p50 / 1000, p95 / 1000, top / 1000, reqs, non2xx, redirects, timeouts, sockerr, seconds)


def _wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    request = urllib.request.Request(url, headers=dict([PROXY_HEADER.split(": ")]))  # noqa: S310
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    raise SystemExit(f"gunicorn ne répond pas sur {url}")


def _print_table(bare: Page, pages: list[Page], args) -> None:
    print(
        f"\n{args.users} utilisateurs simultanés, {args.workers} workers gunicorn, réglages de production ; "
        f"{args.rounds} tours de {args.seconds} s par page, chacun apparié à un échantillon de la vue nue ; "
        f"délai wrk {args.timeout} s"
    )
    columns = ("p50 ms", "p95 ms", "max ms", "req/s", "err", "délais", "nu p95", "ratio")
    print(f"{'page':<44} " + " ".join(f"{c:>7}" for c in columns))
    rows = [bare, *pages]
    for page in rows:
        p50 = statistics.median(s.p50_ms for s in page.samples)
        rps = sum(s.requests for s in page.samples) / sum(s.seconds for s in page.samples)
        top = max(s.max_ms for s in page.samples)
        ref = page.bare_p95_ms if page.paired_bare else page.p95_ms
        ratio = page.p95_ms / ref if ref else float("inf")
        errors = page.total("non2xx") + page.total("socket_errors")
        timeouts = page.total("timeouts")
        cells = [f"{p50:.1f}", f"{page.p95_ms:.1f}", f"{top:.0f}", f"{rps:.0f}", errors, timeouts]
        cells += [f"{ref:.1f}", f"{ratio:.1f}"]
        print(f"{page.label[:44]:<44} " + " ".join(f"{c:>7}" for c in cells))
        for s in page.samples:
            if s.redirects:
                print(f"    {s.redirects} redirection(s) comptée(s) en erreur sur {page.path}")
    print(
        "(p50/p95 : médianes des tours ; err : réponses non 2xx (3xx compris) et erreurs de socket ; délais : "
        "requêtes au-delà du délai wrk ;\n ratio : p95 de la page / p95 de la vue nue des échantillons appariés)"
    )


def benchmark(args, env_prod, port, cookies, page_specs) -> bool:
    """Warm up, run the interleaved rounds, print the table and report goal 6. True when no request failed."""
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    try:
        bare = Page("/sante/ (vue nue, sans cookie)", "/sante/", None)
        pages = [Page(label, path, persona) for label, path, persona in page_specs]

        def sample(page: Page, seconds: int) -> Sample:
            headers = [PROXY_HEADER]
            if page.persona:
                headers.append(f"Cookie: sessionid={cookies[page.persona]}")
            return _wrk(
                base_url + page.path,
                headers,
                seconds=seconds,
                connections=args.users,
                timeout=args.timeout,
                script=script.name,
            )

        warm_errors = 0
        for page in [bare, *pages]:  # warm-up: every worker imports, compiles templates, opens its connection
            warm = sample(page, args.warmup)
            if warm.errors:
                warm_errors += warm.errors
                print(f"échauffement : {warm.errors} erreur(s) sur {page.path} ({warm.redirects} redirection(s))")
        for n in range(args.rounds):
            for page in pages:
                order = [bare, page] if n % 2 == 0 else [page, bare]
                for target in order:
                    result = sample(target, args.seconds)
                    if target is bare:
                        page.paired_bare.append(result)
                        bare.samples.append(result)
                    else:
                        page.samples.append(result)
            print(f"tour {n + 1}/{args.rounds} mesuré", flush=True)
        _print_table(bare, pages, args)
        cores = os.cpu_count() or 1
        if args.load_at_start > cores / 2:
            print(
                f"ATTENTION : machine déjà chargée au départ (charge moyenne {args.load_at_start:.1f} pour {cores} "
                "cœurs) : sous cette charge le p95 de la vue nue mesure surtout l'attente du processeur et les ratios "
                "ne sont pas significatifs ; relancer sur une machine au repos."
            )
        goal_page = pages[0]
        report.ratio_goal(
            "6",
            f"p95 de la page dossier en relecteur ({goal_page.label}), {args.users} utilisateurs",
            app=goal_page.p95_ms,
            reference=goal_page.bare_p95_ms,
            unit="ms",
            reference_label="vue Django nue sans session, même exécution",
            at_most=10,
        )
        errors = warm_errors + sum(p.total("errors") for p in [bare, *pages])
        if errors:
            print(f"ERREUR : {errors} requête(s) en échec (non 2xx, délai dépassé ou socket) : la mesure est invalide")
        return errors == 0
    finally:
        os.unlink(script.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="durée d'un échantillon (s)")
    parser.add_argument("--rounds", type=int, default=3, help="tours d'échantillons appariés")
    parser.add_argument("--warmup", type=int, default=2, help="durée de l'échauffement par page (s)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=int, default=30, help="délai wrk (s), au-dessus de la requête la plus lente")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--pages", type=int, default=0, help="ne mesurer que les N premières pages (0 : toutes)")
    parser.add_argument(
        "--db", help="URL d'une base existante, utilisée telle quelle et jamais supprimée (défaut : une base créée)"
    )
    args = parser.parse_args()
    args.load_at_start = os.getloadavg()[0]  # other processes' load, before this benchmark adds its own
    if shutil.which("wrk") is None:
        raise SystemExit("wrk est introuvable (make bench-load l'installe)")

    created = None
    if args.db:
        db_url = args.db
    else:
        created = f"cpts_bench_{os.getpid()}"
        _run(["psql", *PG, "-c", f"CREATE DATABASE {created}"], os.environ)
        db_url = f"postgres://postgres@127.0.0.1:5432/{created}"
    static_root = tempfile.mkdtemp(prefix="cpts_bench_static_")
    server = None
    try:
        common = {**os.environ, "DATABASE_URL": db_url, "STATIC_ROOT": static_root, "TWO_FACTOR_REQUIRED": "true"}
        common.pop("CONN_MAX_AGE", None)  # as each settings module sets it
        # Data: local settings, Celery eager (no REDIS_URL): nothing is queued on the shared Redis.
        env_build = {**common, "DJANGO_SETTINGS_MODULE": "cpts_portal.settings.base", "DEBUG": "true", "REDIS_URL": ""}
        env_prod = {
            **common,
            "DJANGO_SETTINGS_MODULE": "cpts_portal.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": "https://127.0.0.1",
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        }
        print(
            f"base : {created or db_url} ({'créée pour ce banc, supprimée à la fin' if created else 'fournie, gardée'})"
        )
        _manage(env_build, "migrate", "--noinput")
        _manage(env_build, "load_communes")  # without communes no demo letter gets past its draft
        _manage(env_build, "seed_demo")
        _shell(env_build, "from tests.benchmarks.load_test import build_reviewer_dossier; build_reviewer_dossier()")
        _manage(env_prod, "collectstatic", "--noinput")
        out = _shell(env_prod, "from tests.benchmarks.load_test import sessions_and_paths; sessions_and_paths()")
        fixture = json.loads(next(line for line in out.splitlines() if line.startswith("BENCH-JSON ")).split(" ", 1)[1])
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "cpts_portal.wsgi", "--bind", f"127.0.0.1:{args.port}",
             "--workers", str(args.workers), "--log-level", "warning"],
            cwd=ROOT,
            env=env_prod,
        )  # fmt: skip
        _wait_until_up(f"http://127.0.0.1:{args.port}/sante/")
        pages = fixture["pages"][: args.pages] if args.pages else fixture["pages"]
        ok = benchmark(args, env_prod, args.port, fixture["cookies"], pages)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
        if created:
            subprocess.run(["psql", *PG, "-c", f"DROP DATABASE IF EXISTS {created} WITH (FORCE)"], check=False)
    for line in report.summary():
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
