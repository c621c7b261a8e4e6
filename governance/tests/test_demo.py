import datetime as dt

import pytest

from accounts.demo import CPTS_NAME, seed_demo
from accounts.models import Organisation
from governance.models import Body, Member, Partner
from governance.selectors import body_list, bureau_status, member_count_at

pytestmark = pytest.mark.django_db


def test_the_demo_cpts_gets_members_partners_and_a_complete_bureau_idempotently():
    seed_demo()
    cpts = Organisation.objects.get(name=CPTS_NAME)
    counts = (Member.objects.count(), Partner.objects.count(), Body.objects.count())
    assert member_count_at(cpts, dt.date(2025, 6, 1)) == 36  # the 11 founders and 25 who joined since
    assert bureau_status(body_list(cpts, dt.date(2025, 6, 1))).complete
    seed_demo()
    assert (Member.objects.count(), Partner.objects.count(), Body.objects.count()) == counts
