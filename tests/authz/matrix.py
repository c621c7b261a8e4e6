"""The authorization matrix: every URL pattern × every persona × GET and POST, against declared answers.

Each app declares its table in ``tests/authz/<app>.py`` as ``RULES = {"<namespace>:<name>": Rule(...)}``: how to
build the URL's kwargs from the world, and for each method the answer expected for each persona. Answers are
tokens: ``"200"``, ``"302"`` (a redirect other than to a login page), ``"login"`` (sent to a login page),
``"403"``, ``"404"``, ``"405"``... The admin site is one declared group (``ADMIN_GROUP``).

``walk`` requests every cell inside a rolled-back savepoint (a POST never changes what the next persona sees),
compares the answer with the declaration, and checks that no answer contains a secret the persona may not read.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .world import PERSONAS

AUTHENTICATED = frozenset(PERSONAS) - {"anonymous"}
CPTS_TEAM = frozenset({"coordinator", "member"})
REGION_REVIEWERS = frozenset({"desk", "urps", "ars", "health_insurance"})
APPS = ("accounts", "diagnostics", "projects", "governance", "funding", "missions")


def only(*allowed: str, ok: str = "200", denied: str = "403", anonymous: str = "login") -> dict[str, str]:
    """``allowed`` personas get ``ok``; every other signed-in persona ``denied``; the anonymous ``anonymous``."""
    unknown = set(allowed) - set(PERSONAS)
    assert not unknown, f"personas inconnues : {unknown}"
    answers = {p: (ok if p in allowed else denied) for p in AUTHENTICATED}
    answers["anonymous"] = anonymous
    return answers


def everyone(answer: str, *, anonymous: str | None = None) -> dict[str, str]:
    answers = dict.fromkeys(AUTHENTICATED, answer)
    answers["anonymous"] = anonymous or answer
    return answers


def signed_in(answer: str) -> dict[str, str]:
    """Every signed-in persona gets ``answer``; the anonymous is sent to the login page."""
    return everyone(answer, anonymous="login")


def merge(base: dict[str, str], **overrides: str) -> dict[str, str]:
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, f"personas inconnues : {unknown}"
    return {**base, **overrides}


@dataclass(frozen=True)
class Rule:
    """The declared answers of one URL pattern. ``GET``/``POST``: persona -> token."""

    GET: dict
    POST: dict
    kwargs: Callable = field(default=lambda w: {})
    data: Callable = field(default=lambda w: {})  # the POST body (an empty form by default)
    note: str = ""  # why the answer is what it is, when it is not obvious
    discloses: tuple = ()  # secrets (their ``what``) this page may show whoever gets it, with the reason in ``note``

    def __post_init__(self):
        for method in ("GET", "POST"):
            missing = set(PERSONAS) - set(getattr(self, method))
            assert not missing, f"réponse non déclarée pour {missing} ({method})"


# --- URL patterns ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # "<namespace>:<name>", or the route for an unnamed pattern
    route: str
    converters: tuple  # kwarg names
    positional: int = 0  # unnamed groups (django-simple-history's admin pattern)


def url_patterns(urlconf=None) -> list[Pattern]:
    """Every pattern of the URLconf, recursively, with its namespaced name."""
    found = []

    def visit(patterns, prefix, namespaces):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespaces + ([entry.namespace] if entry.namespace else [])
                visit(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                name = ":".join(namespaces + [entry.name]) if entry.name else f"<sans nom> {route}"
                regex = entry.pattern.regex
                names = tuple(regex.groupindex)
                found.append(Pattern(name=name, route=route, converters=names, positional=regex.groups - len(names)))

    visit(get_resolver(urlconf).url_patterns, "", [])
    return found


def is_admin(pattern: Pattern) -> bool:
    return pattern.name.startswith("admin:") or pattern.route.startswith("admin/")


def declared_rules() -> dict[str, Rule]:
    rules = {}
    for app in APPS:
        try:
            module = importlib.import_module(f"tests.authz.{app}")
        except ModuleNotFoundError:
            continue
        for name, rule in module.RULES.items():
            assert name not in rules, f"{name} déclaré deux fois"
            rules[name] = rule
    return rules


def undeclared(patterns: list[Pattern], rules: dict[str, Rule]) -> list[Pattern]:
    return [p for p in patterns if not is_admin(p) and p.name not in rules]


# --- Walking --------------------------------------------------------------------------------------------------


LOGIN_PATHS = ("/connexion/", "/admin/login/")


def classify(response) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        path = location.split("://", 1)[-1]
        path = "/" + path.split("/", 1)[1] if "://" in location else location
        return "login" if path.startswith(LOGIN_PATHS) else "302"
    return str(code)


def response_text(response) -> str:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return body.decode("utf-8", errors="replace")


@dataclass
class Cell:
    pattern: str
    url: str
    method: str
    persona: str
    expected: str
    got: str
    leaks: list


class Sessions:
    """One signed-in client per persona for the length of a test (logging in for every request is slow).

    Each request starts from the persona's saved cookies, so a logout (or a session flush) in one cell does not
    change who makes the next request."""

    def __init__(self, world):
        self.world = world
        self.clients = {}

    def client(self, persona: str) -> Client:
        if persona not in self.clients:
            client = Client(raise_request_exception=False)
            if persona != "anonymous":
                client.force_login(self.world.users[persona])
            self.clients[persona] = (client, client.cookies)
        client, cookies = self.clients[persona]
        client.cookies = copy.deepcopy(cookies)
        return client


def request_as(world, persona: str, method: str, url: str, data: dict, sessions: Sessions | None = None):
    """One request by one persona, in a savepoint rolled back afterwards."""
    cache.clear()  # rate limits and lockouts are not what the matrix measures
    client = (sessions or Sessions(world)).client(persona)
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data)
        text = response_text(response)
        transaction.set_rollback(True)
    return response, text


def leaks_in(world, persona: str, text: str) -> list[str]:
    return [s.what for s in world.secrets if persona not in s.readers and s.text in text]


def walk_rule(world, name: str, rule: Rule, sessions: Sessions | None = None) -> list[Cell]:
    """Request every (method, persona) cell of one pattern; return every cell (compare ``expected``/``got``)."""
    sessions = sessions or Sessions(world)
    url = reverse(name, kwargs=rule.kwargs(world))
    cells = []
    for method in ("GET", "POST"):
        expected = getattr(rule, method)
        data = rule.data(world) if method == "POST" else {}
        for persona in PERSONAS:
            response, text = request_as(world, persona, method, url, data, sessions)
            leaks = [what for what in leaks_in(world, persona, text) if what not in rule.discloses]
            cells.append(Cell(name, url, method, persona, expected[persona], classify(response), leaks))
    return cells


def failures(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if c.got != c.expected or c.leaks]


def report(cells: list[Cell]) -> str:
    lines = [f"{'motif':44} {'méthode':7} {'persona':18} {'attendu':8} {'obtenu':8} fuite"]
    for c in cells:
        lines.append(f"{c.pattern:44} {c.method:7} {c.persona:18} {c.expected:8} {c.got:8} {', '.join(c.leaks) or '-'}")
    return "\n".join(lines)


# --- The admin site as one group -------------------------------------------------------------------------------

# Everyone but the administrator is sent to the admin's login page, except on the login and logout pages themselves.
ADMIN_PUBLIC = {"admin:login": "200", "admin:logout": "302"}
# The administrator is served: 200/302, or 405 for a POST on a read-only page ...
ADMIN_SERVED = {"200", "302", "405"}
# ... except where the admin answers otherwise by design.
ADMIN_FOR_ADMINISTRATOR = {
    "admin:login": {"302", "200"},  # already signed in: redirected (an empty POST shows the form again)
    "admin:logout": {"302", "login", "405"},  # a POST only (GET 405), back to the admin's login page
    "admin:autocomplete": {"403", "405"},  # needs its parameters
    "admin:view_on_site": {"404"},  # no model has a public URL: the portal's pages check permissions
    "admin:axes_accessattempt_add": {"403"},  # the axes logs are read-only
    "admin:axes_accesslog_add": {"403"},
    "admin:axes_accessfailurelog_add": {"403"},
}


def admin_expected(pattern_name: str, persona: str, method: str) -> set[str]:
    if persona != "admin":
        return {ADMIN_PUBLIC.get(pattern_name, "login")}
    return ADMIN_FOR_ADMINISTRATOR.get(pattern_name, ADMIN_SERVED)


def admin_kwargs(pattern: Pattern) -> dict | None:
    """Kwargs for an admin pattern: a real object of the model for ``object_id``; None when not walkable."""
    kwargs = {}
    for name in pattern.converters:
        if name == "object_id":
            model = _admin_model(pattern.name)
            obj = model._default_manager.order_by("pk").first() if model else None
            kwargs[name] = str(obj.pk) if obj else "0"
        elif name == "app_label":
            kwargs[name] = "accounts"
        elif name == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            kwargs[name] = str(ContentType.objects.get_for_model(get_user_model()).pk)
        elif name == "id":  # the user admin's password change
            kwargs[name] = str(get_user_model().objects.order_by("pk").first().pk)
        elif name == "url":
            kwargs[name] = "inexistant/"
        else:
            return None
    return kwargs


def _admin_model(name: str):
    from django.contrib import admin

    short = name.split(":", 1)[1]
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if short.startswith(prefix):
            return model
    return None


def admin_url(pattern: Pattern) -> str | None:
    if pattern.positional:
        # django-simple-history: <object_id>/history/<history_id>/ — a real historical record of a real object.
        model = _admin_model(pattern.name)
        record = model.history.order_by("history_id").first() if model and hasattr(model, "history") else None
        if record is None:
            return None
        return reverse(pattern.name, args=[getattr(record, model._meta.pk.attname), record.history_id])
    kwargs = admin_kwargs(pattern)
    if kwargs is None:
        return None
    if pattern.name.startswith("<sans nom>"):
        return "/admin/inexistant/"
    return reverse(pattern.name, kwargs=kwargs)
