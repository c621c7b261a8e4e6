"""Hypothesis on every form and upload view: no error 500, whatever is posted (200 examples per view).

The targets come from the authorization matrix's declarations: every URL pattern that some persona may POST to (and
every page with a GET form), requested as that persona. Field names are read from the page's own forms (inputs,
selects with their options, textareas, file inputs); POST-only actions get the names seen on every page.
Values: arbitrary text (NUL, control characters, very long), numbers, odd dates, the select's own options, several
values for one name, and for file inputs arbitrary bytes or one of the hostile files. ``DEBUG`` is off (test
settings) and the client does not re-raise: a 500 is an answer, and fails the example.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.authz.matrix import Sessions, declared_rules, request_as

from . import corpus

pytestmark = pytest.mark.django_db

EXAMPLES = 200
PREFERRED = ("coordinator", "other_coordinator", "desk", "urps", "ars", "admin", "member", "anonymous")
REFUSED = {"403", "405", "login"}
SKIPPED = {
    # Logging out ends the matrix's session: nothing to fuzz (no field).
    "accounts:logout",
}


class FormFields(HTMLParser):
    """The fields of the forms of a page: name -> kind ("text", "file", "select") and select options."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.get_forms = 0
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.get_forms += 1
        elif tag in ("input", "textarea") and name and name != "csrfmiddlewaretoken":
            kind = attrs.get("type", "text")
            self.fields[name] = "file" if kind == "file" else "text"
            if kind in ("checkbox", "radio", "hidden") and attrs.get("value"):
                self.options.setdefault(name, []).append(attrs["value"])
        elif tag == "select" and name:
            self.fields[name] = "select"
            self._select = name
        elif tag == "option" and self._select and attrs.get("value") is not None:
            self.options.setdefault(self._select, []).append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def page_fields(world, sessions, persona, url) -> FormFields:
    response, text = request_as(world, persona, "GET", url, {}, sessions)
    parser = FormFields()
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        parser.feed(text)
    return parser


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
ODD = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "0",
        "-1",
        "99999999999999999999999",
        "1e308",
        "NaN",
        "31/02/2024",
        "2024-13-45",
        "0000-00-00",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "=1+1",
        "☃" * 1000,
        "a" * 70000,
    ]
)
HOSTILE_FILES = st.sampled_from(
    [
        ("statuts.pdf", corpus.not_a_pdf()),
        ("statuts.pdf", corpus.pdf_with_javascript()),
        ("membres.csv", corpus.formula_csv()),
        ("membres.xlsx", corpus.formula_xlsx()),
        ("membres.xlsx", corpus.xlsx_xml_bomb()),
        ("vide.csv", b""),
    ]
)
FILES = st.one_of(
    HOSTILE_FILES, st.tuples(st.sampled_from(["f.csv", "f.xlsx", "f.pdf", "f"]), st.binary(max_size=3000))
)


# A formset's management form: Django caps the forms at ``absolute_max`` (1000) whatever is posted; fuzzing them with
# huge numbers would only measure how long 1000 empty forms take to validate (reported, see the note).
MANAGEMENT = st.sampled_from(["", "x", "-1", "0", "1", "3", "1e3", "\x00"])


def value_for(kind: str, options: list[str], name: str = ""):
    if name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")):
        return MANAGEMENT
    scalar = st.one_of(TEXT, ODD, st.integers().map(str), *([st.sampled_from(options)] if options else []))
    if kind == "file":
        return st.one_of(FILES.map(lambda f: SimpleUploadedFile(f[0], f[1])), scalar)
    return st.one_of(scalar, st.lists(scalar, min_size=2, max_size=3))


def payloads(fields: dict[str, str], options: dict[str, list[str]], vocabulary: list[str]):
    """Dictionaries over the page's fields (each present or not) plus a few names from elsewhere."""
    known = {name: value_for(kind, options.get(name, []), name) for name, kind in fields.items()}
    base = st.fixed_dictionaries({}, optional=known) if known else st.just({})
    extra = st.dictionaries(st.sampled_from(vocabulary) if vocabulary else TEXT, value_for("text", []), max_size=3)
    return st.tuples(base, extra).map(lambda pair: {**pair[1], **pair[0]})


def targets():
    """(name, persona, method) for every form endpoint the matrix declares reachable."""
    found = []
    for name, rule in declared_rules().items():
        if name in SKIPPED:
            continue
        for method in ("POST", "GET"):
            answers = getattr(rule, method)
            persona = next((p for p in PREFERRED if answers[p] not in REFUSED), None)
            if persona is not None:
                found.append((name, persona, method))
    return found


# 500s the fuzzing found in code this work does not own: reported to the lead, kept here as strict expected failures
# (the entry must go when the view is fixed).
KNOWN_500: dict = {}
TARGETS = [
    pytest.param(n, p, m, marks=pytest.mark.xfail(strict=True, reason=KNOWN_500[(n, m)]), id=f"{n}-{m}")
    if (n, m) in KNOWN_500
    else pytest.param(n, p, m, id=f"{n}-{m}")
    for n, p, m in targets()
]
_vocabulary: dict[str, list[str]] = {}


def vocabulary(world, sessions) -> list[str]:
    """Every field name of every page, for POST-only actions whose form sits on another page."""
    if "names" not in _vocabulary:
        names = set()
        rules = declared_rules()
        for name, persona, method in targets():
            if method == "GET":
                names |= set(
                    page_fields(world, sessions, persona, reverse(name, kwargs=rules[name].kwargs(world))).fields
                )
        _vocabulary["names"] = sorted(names)
    return _vocabulary["names"]


@pytest.mark.parametrize("name,persona,method", TARGETS)
def test_no_input_makes_a_form_answer_500(world, name, persona, method):
    rule = declared_rules()[name]
    sessions = Sessions(world)
    url = reverse(name, kwargs=rule.kwargs(world))
    form = page_fields(world, sessions, persona, url)
    if method == "GET" and not form.get_forms:
        pytest.skip("pas de formulaire GET sur cette page")
    fields = form.fields
    examples = EXAMPLES if fields else 50

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(payload=payloads(fields, form.options, vocabulary(world, sessions)))
    def post_anything(payload):
        for value in payload.values():
            if hasattr(value, "seek"):
                value.seek(0)
        response, text = request_as(world, persona, method, url, payload, sessions)
        assert response.status_code < 500, f"{method} {url} en tant que {persona} : {response.status_code}"

    post_anything()
