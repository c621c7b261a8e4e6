"""RGPD: a member's data exported (JSON, CSV) and erased on request, the counts unchanged."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from governance.models import Member
from governance.rgpd import member_erase, member_is_erased
from governance.selectors import member_count_at, member_counts_by_category

from .factories import BodyFactory, MandateFactory, MemberFactory, load_professions

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(cpts):
    load_professions()
    member = MemberFactory(cpts=cpts, last_name="Durand", first_name="Jeanne", email="jeanne@exemple.fr")
    MandateFactory(body=BodyFactory(cpts=cpts), member=member)
    member.phone = "06 00 00 00 01"
    member.save()
    return member


def test_the_coordinator_exports_a_members_data_as_json_and_csv(client, owner, member, colleague):
    client.force_login(owner)
    url = reverse("governance:member_personal_data", args=[member.cpts_id, member.pk, "json"])
    data = json.loads(client.get(url).content)
    assert data["membre"]["nom"] == "Durand" and data["membre"]["email"] == "jeanne@exemple.fr"
    assert data["mandats"][0]["role"] and len(data["historique"]) == 2
    url = reverse("governance:member_personal_data", args=[member.cpts_id, member.pk, "csv"])
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig")), delimiter=";"))
    assert ["membre", "telephone", "06 00 00 00 01"] in rows
    client.force_login(colleague)
    assert client.get(url).status_code == 403


def test_erasure_removes_name_identifiers_contacts_and_their_history_but_keeps_the_counts(owner, member):
    on = dt.date(2025, 1, 1)
    before = (member_count_at(member.cpts, on), member_counts_by_category(member.cpts, on))
    erased = member_erase(member=member, by=owner)
    assert member_is_erased(erased)
    assert (erased.first_name, erased.rpps, erased.email, erased.phone) == ("", "", "", "")
    assert erased.profession_id and erased.joined_on == member.joined_on and erased.mandates.count() == 1
    history = list(Member.history.filter(id=member.pk))
    assert len(history) == 1 and history[0].email == "" and "Durand" not in history[0].last_name
    assert (member_count_at(member.cpts, on), member_counts_by_category(member.cpts, on)) == before


def test_erasure_needs_the_confirmation_box(client, owner, member):
    client.force_login(owner)
    url = reverse("governance:member_erase", args=[member.cpts_id, member.pk])
    client.post(url, {})
    member.refresh_from_db()
    assert member.last_name == "Durand"
    client.post(url, {"confirm": "oui"})
    member.refresh_from_db()
    assert member_is_erased(member)
