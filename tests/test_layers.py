"""The apps' layers (README, "Architecture"): the project's own import-linter contract, read from pyproject.toml,
is kept by the code as it stands and broken by one import against the order, whichever way it is written."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest
from importlinter import api  # noqa: F401  (configures import-linter: contract types, readers)
from importlinter.application import use_cases
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "pyproject.toml")


@pytest.fixture(scope="module")
def options():
    return use_cases.read_user_options(CONFIG)


@pytest.fixture(scope="module")
def contract(options):
    layers = next(c for c in options.contracts_options if c["id"] == "layers")
    return LayersContract(name=layers["name"], session_options=options.session_options, contract_options=layers)


@pytest.fixture
def graph(options):
    # Built from the working tree each time (no cache), so that a test may add imports to its own copy.
    return grimp.build_graph(*options.session_options["root_packages"], cache_dir=None)


def test_the_layers_are_the_documented_order(contract):
    assert contract.contract_options["layers"] == [
        "projects", "funding", "missions", "governance", "diagnostics", "accounts", "cpts_portal",
    ]  # fmt: skip


def test_the_code_keeps_the_layers(contract, graph):
    check = contract.check(graph, verbose=False)
    assert check.kept, check.metadata


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("cpts_portal.dates", "accounts.models"),  # the shared helpers import no app
        ("missions.calculations", "funding.calculations"),  # the former copy of add_months
        ("diagnostics.views", "projects.selectors"),  # a lower app reading a higher one's selectors
        ("governance.services", "missions.models"),
    ],
)
def test_an_import_against_the_layers_breaks_the_contract(contract, graph, importer, imported):
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    check = contract.check(graph, verbose=False)
    assert not check.kept
    reported = {(dep["importer"], dep["imported"]) for d in check.metadata["invalid_dependencies"] for r in d["routes"]
                for dep in r["chain"]}  # fmt: skip
    assert (importer, imported) in reported


def test_lint_imports_fails_on_a_module_importing_upwards(contract, tmp_path):
    """The command of `make test` on real files: temporary packages named after the project's layers, in its order,
    and one module of a lower layer importing a higher one inside a function (the dodge the layers forbid)."""
    roots = [f"layers_probe_{layer}" for layer in contract.contract_options["layers"]]
    for name in roots:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / "layers_probe_projects" / "selectors.py").write_text("from layers_probe_funding import rules\n")
    (tmp_path / "layers_probe_funding" / "rules.py").write_text("from layers_probe_cpts_portal import dates\n")
    (tmp_path / "layers_probe_cpts_portal" / "dates.py").write_text("")
    (tmp_path / "layers_probe_diagnostics" / "selectors.py").write_text(
        "def engaged():\n    from layers_probe_projects import selectors  # dodging a cycle\n    return selectors\n"
    )
    config = tmp_path / "pyproject.toml"
    config.write_text(
        textwrap.dedent(
            f"""
            [tool.importlinter]
            root_packages = {roots!r}

            [[tool.importlinter.contracts]]
            id = "layers"
            name = "layers"
            type = "layers"
            layers = {roots!r}
            """
        )
    )
    broken = _lint_imports(config)
    assert broken.returncode == 1, broken.stdout
    assert "Contracts: 0 kept, 1 broken." in broken.stdout
    assert "layers_probe_diagnostics.selectors -> layers_probe_projects.selectors (l.2)" in broken.stdout

    (tmp_path / "layers_probe_diagnostics" / "selectors.py").write_text("")
    kept = _lint_imports(config)
    assert kept.returncode == 0, kept.stdout
    assert "Contracts: 1 kept, 0 broken." in kept.stdout


def _lint_imports(config: Path) -> subprocess.CompletedProcess:
    command = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(command), "--config", str(config), "--no-cache"],
        cwd=config.parent,
        env={**os.environ, "PYTHONPATH": str(config.parent)},
        capture_output=True,
        text=True,
        timeout=60,
    )
