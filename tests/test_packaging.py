"""The package ships what it reads: every Python package of the source tree is in pyproject.toml's
list, the data folders are mapped into mock_server.data, and the code finds its data through
importlib.resources (the wheel itself is built and used from outside the checkout by
.ci/wheel-check)."""

import tomllib
from importlib.resources import files

from conftest import ROOT

from mock_server import resources, scenario
from mock_server.request_contract import SPEC_PATH

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_python_package_of_the_source_tree_is_listed_for_the_wheel():
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for top in ("mock_server", "conformance") for init in (ROOT / top).rglob("__init__.py")}
    mapped = {package for package in PYPROJECT["package-dir"]}
    assert set(PYPROJECT["packages"]) == found | mapped


def test_the_data_packages_are_the_top_level_folders_the_project_edits():
    assert PYPROJECT["package-dir"] == {"mock_server.data.openapi": "openapi",
                                        "mock_server.data.scenarios": "scenarios"}
    assert resources.OPENAPI_DIR == files("mock_server.data.openapi")
    assert (resources.OPENAPI_DIR / "trustpilot.yaml").read_bytes() == (ROOT / "openapi" / "trustpilot.yaml").read_bytes()


def test_code_reads_the_contract_and_scenarios_through_the_data_packages():
    assert SPEC_PATH == resources.OPENAPI_DIR / "trustpilot.yaml"
    assert scenario.SCHEMA_PATH == resources.SCENARIO_DIR / "schema.json"
    assert scenario.DEFAULT_SCENARIO.read_bytes() == (ROOT / "scenarios" / "default.yaml").read_bytes()


def test_package_data_globs_cover_every_data_file():
    """A file added beside the shipped ones (a new world, a template) must match a glob, or the
    wheel silently lacks it."""
    import fnmatch

    folders = {"mock_server": ROOT / "mock_server", "conformance": ROOT / "conformance",
               **{package: ROOT / folder for package, folder in PYPROJECT["package-dir"].items()}}
    for package, folder in folders.items():
        globs = PYPROJECT["package-data"].get(package, [])
        for path in folder.rglob("*"):
            relative = path.relative_to(folder).as_posix()
            if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in relative:
                continue
            assert any(fnmatch.fnmatch(relative, glob) for glob in globs), f"{package}: {relative} is not shipped"
