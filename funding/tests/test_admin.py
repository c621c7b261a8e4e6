"""An administrator manages the scales in the admin, and copies one to start the next amendment."""

import pytest
from django.urls import reverse

from funding.models import FundingScale

pytestmark = pytest.mark.django_db


def test_the_admin_lists_and_edits_scales(admin_client, scales):
    scale = FundingScale.objects.get(code="aci-2019-avenant-2")
    assert admin_client.get(reverse("admin:funding_fundingscale_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:funding_fundingscale_change", args=[scale.pk])).content.decode()
    assert "Majoration taille 4++" in page and "175001" in page
    mission = scale.missions.get(code="4")
    page = admin_client.get(reverse("admin:funding_scalemission_change", args=[mission.pk])).content.decode()
    assert "12500" in page and "75000" in page


def test_the_admin_duplicates_a_scale_for_a_new_amendment(admin_client, scales):
    scale = FundingScale.objects.get(code="aci-2019-avenant-2")
    response = admin_client.post(
        reverse("admin:funding_fundingscale_changelist"),
        {"action": "duplicate", "_selected_action": [scale.pk]},
        follow=True,
    )
    assert response.status_code == 200
    copy = FundingScale.objects.get(code="aci-2019-avenant-2-copie")
    assert copy.effective_from.year == 2999 and copy.missions.count() == 6
    assert "fixez sa date d'entrée en vigueur" in response.content.decode().replace("&#x27;", "'")
