"""Where the data the product ships is read from: the contract and the scenarios.

The project edits them at the top level (``openapi/``, ``scenarios/``); pyproject.toml maps
those folders into the package as ``mock_server.data.openapi`` and ``mock_server.data.scenarios``,
so a wheel carries them and an editable install reads the checkout. Either way they are found
through importlib.resources, never through a path relative to the source tree.
"""

from importlib.resources import files
from pathlib import Path


def _folder(package):
    folder = files(package)
    # pip installs wheels unpacked, so the data is a real folder; a zipped install would need
    # extraction, which nothing here does.
    if not isinstance(folder, Path):
        raise RuntimeError(f"{package} is not installed as files on disk ({folder!r}); install the wheel with pip")
    return folder


OPENAPI_DIR = _folder("mock_server.data.openapi")
SCENARIO_DIR = _folder("mock_server.data.scenarios")
