import pytest

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory


@pytest.fixture
def catalogue(db):
    from .factories import load_catalogue

    load_catalogue()


@pytest.fixture
def plan(cpts, catalogue):
    from .factories import ActionPlanFactory

    return ActionPlanFactory(cpts=cpts)


@pytest.fixture
def professions(db):
    from governance.tests.factories import load_professions

    load_professions()


def _member_user(cpts, professions, **member_kwargs):
    """A portal user with role "member" in the CPTS, linked to a governance member (``Member.user``)."""
    from governance.tests.factories import MemberFactory

    user = MembershipFactory(organisation=cpts, role=Role.MEMBER).user
    member = MemberFactory(cpts=cpts, user=user, last_name=user.last_name, **member_kwargs)
    return user, member


@pytest.fixture
def pilot(cpts, professions):
    """(user, governance member) of the CPTS who will pilot a fiche."""
    return _member_user(cpts, professions)


@pytest.fixture
def group_member(cpts, professions):
    return _member_user(cpts, professions)


@pytest.fixture
def other_member(cpts, professions):
    """A member of the CPTS involved in no fiche: reads only."""
    return _member_user(cpts, professions)


@pytest.fixture
def sheet(plan, pilot, group_member):
    from .factories import ActionSheetFactory

    sheet = ActionSheetFactory(plan=plan, pilot=pilot[1], title="Médecin traitant pour les patients fragiles")
    sheet.working_group.add(group_member[1])
    return sheet
