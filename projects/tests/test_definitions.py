"""Every registered dossier definition is whole: a state rule for every status, a transition rule for every FSM
method and only those, with the FSM's sources, labels for every audience, to-dos only for parts that may act, a
message for every event it notifies (conventions: "a test checks every status has a row")."""

import pytest
from django.urls import reverse

from projects.notifications import EVENT_MESSAGES
from projects.workflows.engine import definitions

DEFINITIONS = definitions()


def _fsm_sources(model) -> dict[str, set]:
    sources: dict[str, set] = {}
    for t in model._meta.get_field("status").get_all_transitions(model):
        sources.setdefault(t.name, set()).add(t.source)
    return sources


def test_the_letter_is_registered():
    assert {d.model._meta.model_name for d in DEFINITIONS} >= {"intentionletter"}


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.model._meta.model_name)
def test_every_definition_matches_its_model(definition):
    assert set(definition.state_rules) == set(definition.status_choices.values)
    for rule in definition.state_rules.values():
        assert set(rule.labels) == {"cpts", "reviewer", "ars"}
        assert not rule.todo or rule.edit, "a status to-do is for those who may edit"
    sources = _fsm_sources(definition.model)
    assert set(definition.transition_rules) == set(sources)
    for name, rule in definition.transition_rules.items():
        assert set(rule.actors) == sources[name], name
        assert set(rule.todo) <= rule.all_actors, name
    assert set(definition.guards) <= set(definition.transition_rules)
    assert set(definition.recipients) <= set(definition.messages) | set(EVENT_MESSAGES)
    assert reverse(definition.detail_url, args=[1])
