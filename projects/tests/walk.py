"""Move a letter along its circuit through the real services (tests only)."""

import datetime as dt

from projects.choices import Assessment, DecisionOutcome
from projects.selectors import letter_grid
from projects.services import opinion_give
from projects.workflows.letter_services import letter_decide, letter_open_review, letter_submit, letter_transmit


def answers_for(letter, assessment=Assessment.FAVORABLE):
    grid = letter_grid(letter)
    return {c: (assessment, f"Commentaire sur {c.label}") for c in grid.criteria.all()}


def give_all_opinions(letter, circuit, assessment=Assessment.FAVORABLE):
    for user in circuit.reviewer_users:
        opinion_give(letter=letter, by=user, overall=assessment, comment="Avis motivé", answers=answers_for(letter))


def consolidate(letter, circuit):
    return opinion_give(
        letter=letter,
        by=circuit.desk_user,
        overall=Assessment.FAVORABLE,
        comment="Avis consolidé",
        answers=answers_for(letter),
    )


def to_transmitted(letter, owner, circuit):
    letter_submit(letter=letter, by=owner)
    letter_open_review(letter=letter, by=circuit.desk_user)
    give_all_opinions(letter, circuit)
    consolidate(letter, circuit)
    letter_transmit(letter=letter, by=circuit.desk_user)
    return letter


def validate(letter, user, on=dt.date(2024, 3, 15), **kwargs):
    return letter_decide(
        letter=letter, by=user, outcome=DecisionOutcome.VALIDATED, motive="Projet cohérent", decided_on=on, **kwargs
    )
