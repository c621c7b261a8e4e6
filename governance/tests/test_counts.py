"""Counts of the health project's table and the 100-member threshold, against hand-computed figures."""

import datetime as dt

import pytest

from governance.calculations import MemberSpan, counts_by_category, threshold_met
from governance.models import Profession, StructureType
from governance.selectors import (
    member_count_at,
    member_counts_by_category,
    members_threshold_at,
    professions_represented,
)
from governance.tests.factories import MemberFactory, StructureMemberFactory

D = dt.date


@pytest.fixture
def roster(cpts, professions):
    """Eleven members of the CPTS, hand-counted below; one member of another CPTS that must never count."""
    gp = Profession.objects.get(code="medecin_generaliste")
    nurse = Profession.objects.get(code="infirmier")
    osteo = Profession.objects.get(code="osteopathe")
    msp = StructureType.objects.get(code="msp")
    hospital = StructureType.objects.get(code="etablissement_sante")
    make = MemberFactory
    # 4 GPs: 2 in governance, 3 wrote; one left on 2025-06-30.
    make(cpts=cpts, profession=gp, in_governance=True, took_part_in_writing=True)
    make(cpts=cpts, profession=gp, in_governance=True, took_part_in_writing=True)
    make(cpts=cpts, profession=gp, took_part_in_writing=True)
    make(cpts=cpts, profession=gp, left_on=D(2025, 6, 30), in_governance=True)
    # 3 nurses: 1 in governance, 1 wrote; one joins on 2025-09-01.
    make(cpts=cpts, profession=nurse, in_governance=True)
    make(cpts=cpts, profession=nurse, took_part_in_writing=True)
    make(cpts=cpts, profession=nurse, joined_on=D(2025, 9, 1))
    # 1 osteopath (category "autres").
    make(cpts=cpts, profession=osteo)
    # 2 MSP (one in governance), 1 hospital (category "autres", left on 2025-01-01).
    StructureMemberFactory(cpts=cpts, structure_type=msp, in_governance=True)
    StructureMemberFactory(cpts=cpts, structure_type=msp)
    StructureMemberFactory(cpts=cpts, structure_type=hospital, left_on=D(2025, 1, 1))
    make(profession=gp)  # another CPTS


def test_counts_by_category_match_the_hand_computed_table(cpts, roster):
    rows = {r.code: r for r in member_counts_by_category(cpts, D(2025, 7, 1))}
    # On 2025-07-01: 3 GPs (the 4th left), 2 nurses (3rd not yet joined), 1 osteopath, 2 MSP, 0 hospital.
    assert len(rows) == 15 and list(rows)[0] == "medecins_generalistes"
    assert (
        rows["medecins_generalistes"].joined,
        rows["medecins_generalistes"].in_governance,
        rows["medecins_generalistes"].took_part_in_writing,
    ) == (3, 2, 3)
    assert (rows["infirmiers"].joined, rows["infirmiers"].in_governance, rows["infirmiers"].took_part_in_writing) == (
        2,
        1,
        1,
    )
    assert (rows["msp"].joined, rows["msp"].in_governance) == (2, 1)
    assert rows["autres"].joined == 1
    assert rows["pharmaciens"].joined == 0
    assert sum(r.joined for r in rows.values()) == 8
    assert str(rows["medecins_generalistes"].share) == "37.5"


def test_member_count_at_a_date_takes_departures_and_arrivals_into_account(cpts, roster):
    assert member_count_at(cpts, D(2024, 1, 14)) == 0
    assert member_count_at(cpts, D(2024, 12, 31)) == 10  # all but the nurse joining in 2025-09
    assert member_count_at(cpts, D(2025, 1, 1)) == 9  # the hospital left that day
    assert member_count_at(cpts, D(2025, 6, 30)) == 8  # the GP left that day
    assert member_count_at(cpts, D(2025, 9, 1)) == 9
    assert member_count_at(cpts, D(2025, 9, 1), count_structures=False) == 7


def test_the_table_and_the_count_agree_on_who_is_present(cpts, roster):
    """One member count (``selectors.member_count_at``, the database's ``present_on``); the table by category reads
    the same presence rule in Python (``calculations.is_present``): their totals agree on every date."""
    for on in [D(2024, 1, 15), D(2025, 1, 1), D(2025, 6, 30), D(2025, 8, 31), D(2025, 9, 1)]:
        assert sum(r.joined for r in member_counts_by_category(cpts, on)) == member_count_at(cpts, on)


def test_the_100_member_threshold_at_a_date_with_members_who_left(cpts, professions):
    gp = Profession.objects.get(code="medecin_generaliste")
    MemberFactory.create_batch(98, cpts=cpts, profession=gp, joined_on=D(2024, 1, 1))
    StructureMemberFactory(cpts=cpts, joined_on=D(2024, 1, 1))
    leaver = MemberFactory(cpts=cpts, profession=gp, joined_on=D(2024, 1, 1), left_on=D(2025, 3, 1))
    # Before the departure: 98 professionals + 1 leaver + 1 structure = 100.
    before = members_threshold_at(cpts, D(2025, 2, 28))
    assert (before.count, before.met, before.missing) == (100, True, 0)
    assert not members_threshold_at(cpts, D(2025, 2, 28), at_least=False).met  # "plus de 100"
    assert not members_threshold_at(cpts, D(2025, 2, 28), count_structures=False).met  # 99 professionals
    assert members_threshold_at(cpts, D(2025, 2, 28), threshold=99, count_structures=False).met
    after = members_threshold_at(cpts, D(2025, 3, 1))
    assert (after.count, after.met, after.missing) == (99, False, 1)
    assert leaver.is_present_on(D(2025, 2, 28)) and not leaver.is_present_on(D(2025, 3, 1))


@pytest.mark.parametrize(
    ("count", "threshold", "at_least", "expected"),
    [(100, 100, True, True), (99, 100, True, False), (100, 100, False, False), (101, 100, False, True)],
)
def test_threshold_at_least_versus_more_than(count, threshold, at_least, expected):
    assert threshold_met(count, threshold=threshold, at_least=at_least) is expected


def test_counts_by_category_pure_function_lists_empty_categories():
    spans = [MemberSpan("professional", D(2024, 1, 1), None, "a", True, False)]
    rows = counts_by_category(spans, D(2024, 6, 1), [("a", "A"), ("b", "B")])
    assert [(r.code, r.joined, r.in_governance, str(r.share)) for r in rows] == [
        ("a", 1, 1, "100.0"),
        ("b", 0, 0, "0.0"),
    ]


def test_professions_represented_on_a_date(cpts, roster):
    rows = professions_represented(cpts, D(2025, 7, 1))
    assert [(r.label, r.count) for r in rows] == [
        ("Médecin généraliste", 3),
        ("Infirmier", 2),
        ("Maison de santé pluriprofessionnelle (MSP)", 2),
        ("Ostéopathe", 1),
    ]
