"""The health project's review without the database: the grid's prefilled counts (seed 000 Annexe 9), the sections in
the region's order, the diff by section, and the review forms (the decision offers only the two legal grounds)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.calculations import Fact, grid_facts, health_project_diff, order_by_template
from projects.choices import OppositionGround, ProjectDecisionOutcome
from projects.forms_review import (
    ProjectComplementsForm,
    ProjectDecisionForm,
    ProjectOpinionForm,
    ProjectSignDecisionForm,
)


def _data(communes=2, population=14_700, members=12, partners=((True,), (False,), (False,))):
    return {
        "cpts": {"id": 1, "name": "CPTS du Lauragais"},
        "diagnostic": {"communes": [{"name": f"C{i}"} for i in range(communes)], "population": population},
        "organisation": {"member_count": members, "partners": [{"is_formalised": f} for (f,) in partners]},
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_data(), {"communes": 2, "inhabitants": 14_700, "professionals": 12, "engagements": 2}),
        (_data(communes=0, population=0, members=0, partners=()), {"communes": 0, "inhabitants": 0,
                                                                   "professionals": 0, "engagements": 0}),
        (_data(communes=31, population=182_000, members=140, partners=((True,),) * 4),
         {"communes": 31, "inhabitants": 182_000, "professionals": 140, "engagements": 0}),
        # A version that does not hold a count shows it as "non renseigné", never a guess.
        ({}, {"communes": None, "inhabitants": None, "professionals": None, "engagements": None}),
        ({"diagnostic": {"communes": "x", "population": "12"}, "organisation": {"partners": None}},
         {"communes": None, "inhabitants": None, "professionals": None, "engagements": None}),
    ],
)  # fmt: skip
def test_the_grid_counts_come_from_the_deposited_version(data, expected):
    facts = grid_facts(data)
    assert all(isinstance(f, Fact) and f.label and f.source for f in facts)
    assert {f.code: f.value for f in facts} == expected
    assert [f.label for f in facts] == [
        "Nombre de communes",
        "Nombre d'habitants",
        "Nombre de professionnels engagés dans la CPTS",
        "Nombre d'engagements à venir",
    ]


NATIONAL = ["identity", "diagnostic", "actions", "planning", "organisation", "budget"]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ([], NATIONAL),
        (["identity", "diagnostic", "organisation", "actions"],
         ["identity", "diagnostic", "organisation", "actions", "planning", "budget"]),
        (["budget"], ["budget", "identity", "diagnostic", "actions", "planning", "organisation"]),
    ],
)  # fmt: skip
def test_sections_follow_the_regions_template_then_the_national_order(template, expected):
    assert order_by_template(list(reversed(NATIONAL)), str, template, NATIONAL) == expected


def test_the_diff_names_each_change_by_its_section():
    before, after = _data(), _data(population=15_000)
    after["identity"] = {"siret": "123"}
    changes = {c.path: c for c in health_project_diff(before, after)}
    assert changes["diagnostic.population"].label == "Diagnostic territorial – population"
    assert (changes["diagnostic.population"].before, changes["diagnostic.population"].after) == ("14700", "15000")
    assert changes["identity.siret"].label == "Identité – siret"
    assert health_project_diff(before, before) == []


# --- Forms ---------------------------------------------------------------------------------------------------------


class Criterion:
    def __init__(self, pk, section, label="Critère"):
        self.pk, self.section, self.label, self.help_text = pk, section, label, ""


CRITERIA = [Criterion(1, "diagnostic"), Criterion(2, "actions"), Criterion(3, "diagnostic"), Criterion(4, "")]
SECTIONS = {"identity": "Identité", "actions": "Les actions", "diagnostic": "Le territoire"}


def test_the_opinion_form_groups_the_criteria_by_section_and_answers_by_criterion_id():
    data = {"overall": "favorable", "comment": "Bon projet"}
    for c in CRITERIA:
        data[f"c{c.pk}_assessment"] = "reserved" if c.pk == 2 else "favorable"
    form = ProjectOpinionForm(data, criteria=CRITERIA, section_titles=SECTIONS)
    assert form.is_valid(), form.errors
    groups = form.groups()
    assert [(g.code, g.title) for g in groups] == [
        ("actions", "Les actions"),
        ("diagnostic", "Le territoire"),
        ("", "Appréciation générale"),
    ]
    assert [row[0].pk for row in groups[1].rows] == [1, 3]
    assert form.answers_by_id() == {
        1: ("favorable", ""),
        2: ("reserved", ""),
        3: ("favorable", ""),
        4: ("favorable", ""),
    }


def test_the_opinion_form_asks_every_criterion():
    form = ProjectOpinionForm({"overall": "favorable"}, criteria=CRITERIA, section_titles=SECTIONS)
    assert not form.is_valid()
    assert set(form.errors) == {f"c{c.pk}_assessment" for c in CRITERIA}


def test_complements_need_a_comment_on_at_least_one_section():
    sections = [("diagnostic", "Le territoire"), ("budget", "Budget")]
    form = ProjectComplementsForm({"reason": "incomplete", "message": "Précisez."}, sections=sections)
    assert not form.is_valid()
    assert "Commentez au moins une section" in str(form.non_field_errors())
    form = ProjectComplementsForm(
        {"reason": "incomplete", "message": "Précisez.", "section__budget": " Équilibrez la partie 2. "},
        sections=sections,
    )
    assert form.is_valid(), form.errors
    assert form.section_comments() == {"budget": "Équilibrez la partie 2."}
    assert [code for code, _title, _field in form.section_fields()] == ["diagnostic", "budget"]


def test_the_decision_form_offers_only_the_two_legal_grounds():
    form = ProjectDecisionForm()
    assert [value for value, _label in form.fields["ground"].choices] == [
        OppositionGround.PRS,
        OppositionGround.TERRITORY,
    ]
    third = ProjectDecisionForm({"outcome": "opposition", "ground": "budget", "motive": "Budget insuffisant"})
    assert not third.is_valid()
    assert "n'est pas un motif légal" in third.errors["ground"][0]


@pytest.mark.parametrize(
    ("data", "valid", "ground"),
    [
        ({"outcome": "non_opposition"}, True, ""),
        ({"outcome": "non_opposition", "ground": "prs", "motive": ""}, True, ""),  # the ground picked before is dropped
        ({"outcome": "opposition", "ground": "prs", "motive": "Objectifs du PRS absents"}, True, "prs"),
        ({"outcome": "opposition", "ground": "territory", "motive": "Territoire morcelé"}, True, "territory"),
        ({"outcome": "opposition", "ground": "prs", "motive": "  "}, False, None),
        ({"outcome": "opposition", "motive": "Sans motif légal"}, False, None),
        ({"outcome": "validated"}, False, None),
    ],
)
def test_the_decision_form_rules(data, valid, ground):
    form = ProjectDecisionForm(data)
    assert form.is_valid() is valid, form.errors
    if valid:
        assert form.cleaned_data["ground"] == ground


def test_signing_needs_the_box_ticked():
    form = ProjectSignDecisionForm({"outcome": "non_opposition"})
    assert not form.is_valid()
    assert form.errors["confirm"] == ["Cochez la case pour signer la décision."]
    assert ProjectSignDecisionForm({"outcome": "non_opposition", "confirm": "on"}).is_valid()


TEXT = st.text(max_size=200)
ANY = st.one_of(TEXT, st.sampled_from(["", "prs", "territory", "opposition", "non_opposition", "budget", "\x00"]))


@settings(max_examples=200, deadline=None)
@given(outcome=ANY, ground=ANY, motive=ANY, confirm=st.sampled_from(["", "on", "x"]))
def test_no_decision_posted_is_ever_an_opposition_outside_the_two_grounds(outcome, ground, motive, confirm):
    for form_class in (ProjectDecisionForm, ProjectSignDecisionForm):
        form = form_class({"outcome": outcome, "ground": ground, "motive": motive, "confirm": confirm})
        if form.is_valid():
            data = form.cleaned_data
            assert data["outcome"] in ProjectDecisionOutcome.values
            if data["outcome"] == ProjectDecisionOutcome.OPPOSITION:
                assert data["ground"] in OppositionGround.values and data["motive"].strip()
            else:
                assert data["ground"] == ""


@settings(max_examples=100, deadline=None)
@given(reason=ANY, message=TEXT, comments=st.dictionaries(st.sampled_from(["diagnostic", "budget", "zz"]), TEXT))
def test_complements_posted_anyhow_keep_only_known_sections_with_text(reason, message, comments):
    data = {"reason": reason, "message": message, **{f"section__{k}": v for k, v in comments.items()}}
    form = ProjectComplementsForm(data, sections=[("diagnostic", "Le territoire"), ("budget", "Budget")])
    if form.is_valid():
        kept = form.section_comments()
        assert kept and set(kept) <= {"diagnostic", "budget"} and all(v.strip() == v and v for v in kept.values())


@settings(max_examples=100, deadline=None)
@given(values=st.dictionaries(st.sampled_from([f"c{c.pk}_assessment" for c in CRITERIA] + ["overall"]), ANY))
def test_an_opinion_posted_anyhow_is_valid_only_with_every_answer_on_the_scale(values):
    form = ProjectOpinionForm(values, criteria=CRITERIA, section_titles=SECTIONS)
    if form.is_valid():
        assert set(form.answers_by_id()) == {c.pk for c in CRITERIA}
        assert {a for a, _comment in form.answers_by_id().values()} <= {"favorable", "reserved", "unfavorable"}
