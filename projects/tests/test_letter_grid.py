"""The grid a letter's opinions answer is regional data: the one its region's letter circuit names."""

import pytest

from accounts.choices import Stage
from projects.models import IntentionLetter, OpinionGrid
from projects.selectors import letter_grid

pytestmark = pytest.mark.django_db


def test_the_letter_grid_is_the_one_its_region_circuit_names_else_its_circuit_kind_grid(under_review):
    regional = OpinionGrid.objects.create(code="grille-regionale", label="Grille propre à la région")
    circuit = under_review.regional_settings.circuit(Stage.LETTER)
    circuit.grid_code = regional.code
    circuit.save()
    assert letter_grid(IntentionLetter.objects.get(pk=under_review.pk)) == regional

    circuit.grid_code = ""
    circuit.save()
    letter = IntentionLetter.objects.get(pk=under_review.pk)
    assert letter_grid(letter).letter_circuit == letter.circuit != ""
