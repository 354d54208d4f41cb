"""The floors of the house: imports point one way, and every app of the project stands on a floor.

The contract is in pyproject.toml (import-linter); ``lint-imports`` runs the same check by hand.
"""

import tomllib
from pathlib import Path

from django.conf import settings
from importlinter.cli import lint_imports

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = REPO / "pyproject.toml"


def floors() -> list[set[str]]:
    """The apps on each floor of the contract, from the bottom up."""
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["id"] == "floors"]
    return [{app.strip() for app in layer.split("|")} for layer in reversed(contract["layers"])]


def test_no_app_imports_an_app_above_it_or_beside_it():
    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0


def test_every_app_of_the_project_stands_on_a_floor_listed_in_the_order_of_the_settings():
    project_apps = [app for app in settings.INSTALLED_APPS if (REPO / app / "apps.py").is_file()]
    floor_of = {app: level for level, apps in enumerate(floors()) for app in apps}
    assert set(floor_of) == set(project_apps)
    assert [floor_of[app] for app in project_apps] == sorted(floor_of[app] for app in project_apps)
