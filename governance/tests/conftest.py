import pytest


@pytest.fixture
def professions(db):
    from governance.tests.factories import load_professions

    load_professions()


@pytest.fixture
def communes(db):
    from governance.tests.factories import CommuneFactory

    return {
        "31069": CommuneFactory(insee_code="31069", name="Castelnaudary-sur-Test"),
        "11076": CommuneFactory(insee_code="11076", name="Castelnaudary"),
        "31555": CommuneFactory(insee_code="31555", name="Toulouse"),
    }
