"""The edit page's completeness panel after a refused save: it reads what is on screen, not the saved row (issue 12,
point 8: after an invalid SIRET it still said "La lettre est complète : elle peut être déposée")."""

import html

import pytest
from django.urls import reverse

from projects.forms import LetterForm

pytestmark = pytest.mark.django_db

COMPLETE = "La lettre est complète : elle peut être déposée."


def text(response) -> str:
    return html.unescape(response.content.decode())


def panel(page: str) -> str:
    block = page[page.index('id="h-complet"') :]
    return block[: block.index("</section>")]


def posted(letter, **changes) -> dict:
    """Everything the edit page shows, as the browser would post it back."""
    data = {name: getattr(letter, name) for name in LetterForm.Meta.fields}
    data = {name: ("on" if value is True else "") if isinstance(value, bool) else value for name, value in data.items()}
    data = {name: value for name, value in data.items() if value not in ("", None)}
    structure = letter.carrying_structure
    data.update(
        {
            "structure-legal_form": structure.legal_form,
            "structure-name": structure.name,
            "structure-siret": structure.siret,
            "structure-address": structure.address,
            "team-TOTAL_FORMS": "0",
            "team-INITIAL_FORMS": "0",
            "professions-TOTAL_FORMS": "0",
            "professions-INITIAL_FORMS": "0",
            "action": "save",
        }
    )
    data.update(changes)
    return data


def test_an_invalid_siret_makes_the_panel_say_the_letter_is_not_ready(client, letter, owner):
    client.force_login(owner)
    url = reverse("projects:letter_edit", args=[letter.pk])
    assert COMPLETE in panel(text(client.get(url)))  # the saved letter is complete

    response = client.post(url, posted(letter, **{"structure-siret": "73282932000075"}))
    page = text(response)
    assert response.status_code == 200
    shown = panel(page)
    assert COMPLETE not in shown
    assert "n'est pas encore prête à être déposée" in shown
    assert 'href="#id_structure-siret">SIRET de la structure porteuse : Ce numéro SIRET n\'est pas valide' in shown
    letter.carrying_structure.refresh_from_db()
    assert letter.carrying_structure.siret == "73282932000074"  # nothing was saved


def test_the_panel_reads_the_posted_content_beside_the_field_error(client, letter, owner):
    """A field emptied in the same refused post is listed too: the panel describes the page, not the database."""
    client.force_login(owner)
    url = reverse("projects:letter_edit", args=[letter.pk])
    response = client.post(url, posted(letter, needs="", **{"structure-siret": "1234"}))
    shown = panel(text(response))
    assert "SIRET de la structure porteuse" in shown
    assert 'href="#id_needs">Décrivez les besoins identifiés sur le territoire.' in shown
    letter.refresh_from_db()
    assert letter.needs  # still saved as it was

    fixed = client.post(url, posted(letter))
    assert fixed.status_code == 302
    assert COMPLETE in panel(text(client.get(url)))
