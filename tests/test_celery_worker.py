"""A task sent through Redis is executed by a real worker process that reads the test database."""

import pytest

from accounts.models import Region
from accounts.tasks import worker_heartbeat

pytestmark = [pytest.mark.integration]


def test_a_task_sent_through_redis_is_run_by_a_real_worker(celery_through_redis):
    Region.objects.create(code="76", name="Occitanie")
    Region.objects.create(code="04", name="La Réunion")
    async_result = worker_heartbeat.delay()
    assert not worker_heartbeat.app.conf.task_always_eager
    result = async_result.get(timeout=20)
    # The worker counted the rows this test committed: it is another process on the same database.
    assert result["regions"] == 2
    assert async_result.successful()
