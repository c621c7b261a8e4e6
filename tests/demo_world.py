"""The communes the demo needs, created quickly for tests that do not need all 35 000 (``load_communes``)."""

from django.core.management import call_command


def demo_communes_create() -> int:
    """Create the communes of every demo territory and of the demo indicators file; returns how many exist."""
    from accounts.demo import DEMO_CPTS
    from accounts.models import Departement
    from diagnostics.demo import DEMO_DATASET_FILE
    from diagnostics.models import Commune
    from diagnostics.tests.factories import CommuneFactory

    call_command("loaddata", "regions", verbosity=0)
    departements = {d.code: d for d in Departement.objects.all()}
    codes = {code for spec in DEMO_CPTS for code in spec.communes}
    codes |= {line.split(";")[0] for line in DEMO_DATASET_FILE.read_text().splitlines()[1:]}
    for code in sorted(codes):
        departement = departements["974" if code.startswith("97") else code[:2]]
        CommuneFactory(insee_code=code, name=f"Commune {code}", departement=departement, population=4000)
    return Commune.objects.count()
