import pytest
from django.core.management import call_command


@pytest.fixture
def scales(db):
    """The shipped funding scales: the tailles' population bands are their data (no threshold in code)."""
    call_command("loaddata", "funding_scales", verbosity=0)
