"""Read the partner manifest: YAML checked against manifest.schema.json, errors as file:line: field.

The manifest says what the integration is, how the kit drives it (a service, triggers) and
which environment variables point it at the sandbox. See the README's "Partner manifest".
"""

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mock_server import yaml_document

SCHEMA_PATH = Path(__file__).resolve().parent / "manifest.schema.json"
USE_CASES = ("invite", "showcase", "reply", "ingestion")
DEFAULT_TRIGGER_TIMEOUT = 20.0
DEFAULT_START_TIMEOUT = 10.0
# Filled from the service (also in environment values) and derived from {port}:
SERVICE_PLACEHOLDERS = ("python", "port", "data_dir", "redirect_uri", "service_url")
PLACEHOLDERS = SERVICE_PLACEHOLDERS + ("domain", "business_unit_id", "review_id", "message", "email", "name",
                                       "reference_id")
FIXED_VARIABLES = ("extra", "settings", "secrets")  # environment: fixed values; extra and secrets are masked
PLACEHOLDER = re.compile(r"(?<![$\\])\{([A-Za-z_][A-Za-z0-9_]*)\}")  # not ${SHELL_VARIABLE}


class ManifestError(Exception):
    """The manifest cannot be read or breaks the schema; the message names file, line and field."""


@dataclass(frozen=True)
class Manifest:
    path: Path
    data: dict

    @property
    def folder(self):
        return self.path.parent

    @property
    def name(self):
        return self.data["integration"]["name"]

    @property
    def use_cases(self):
        return list(self.data["integration"]["useCases"])

    @property
    def redirect_uri(self):
        return self.data["integration"]["redirectUri"]

    @property
    def support(self):
        return self.data["integration"].get("support", {})

    @property
    def test_account(self):
        return self.data["integration"].get("testAccount", {})

    @property
    def service(self):
        return self.data.get("service")

    @property
    def environment(self):
        return self.data["environment"]

    def trigger(self, name):
        """The trigger's definition, or None when the manifest has none by that name."""
        return self.data["triggers"].get(name)

    @property
    def results_probe(self):
        """The optional probe of what ingestion kept (a trigger definition), or None."""
        return self.data.get("results")

    def fixed_variables(self, secret=None):
        """{name: template} of the environment's fixed values: all, the masked ones (secret=True:
        'secrets' and manifest 1's 'extra') or the plain 'settings' (secret=False)."""
        kinds = {None: FIXED_VARIABLES, True: ("extra", "secrets"), False: ("settings",)}[secret]
        out = {}
        for kind in kinds:
            out.update(self.environment.get(kind, {}))
        return out

    @property
    def proxy_mode(self):
        """The integration's Trustpilot hosts are hard-coded: it reaches the sandbox through the proxy."""
        return self.data.get("sandboxAccess") == "proxy"

    @property
    def trigger_timeout(self):
        return self.data.get("timeouts", {}).get("triggerSeconds", DEFAULT_TRIGGER_TIMEOUT)


def load(path):
    """Read, parse and validate a manifest file; raises ManifestError."""
    path = Path(path).resolve()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read the manifest: {exc}") from None
    text = yaml_document.decode(raw, str(path), ManifestError)
    return Manifest(path, parse(text, str(path), path.parent))


def parse(text, source, folder=None):
    """The manifest's data; ``folder`` (where it lives) lets paths in it be checked too."""
    data = yaml_document.parse(text, source, ManifestError)
    if not isinstance(data, dict):
        raise ManifestError(f"{source}:1: the manifest must be a mapping (manifest, integration, triggers, "
                            "environment)")
    problems = ([_plainer(p) for p in yaml_document.schema_problems(_validator(), data)]
                or _semantic_problems(data, folder))
    if problems:
        raise ManifestError(yaml_document.describe(problems, text, source))
    return data


def _placeholder_problems(data):
    """A misspelt {placeholder} would reach the integration as literal text: name it instead."""
    places = [(["integration", "redirectUri"], data["integration"]["redirectUri"])]
    places += [(["service", key], value) for key, value in (data.get("service") or {}).items() if isinstance(value, str)]
    triggers = [(["triggers", name], trigger) for name, trigger in data["triggers"].items()]
    if "results" in data:
        triggers.append((["results"], data["results"]))
    for where, trigger in triggers:
        places += [(where + [key], json.dumps(trigger[key]) if key == "json" else trigger[key])
                   for key in ("run", "url", "json") if key in trigger]
    for path, text in places:
        yield from _unknown(path, text, PLACEHOLDERS)
    for kind in FIXED_VARIABLES:
        for name, value in (data["environment"].get(kind) or {}).items():
            yield from _unknown(["environment", kind, name], value, SERVICE_PLACEHOLDERS)


def _unknown(path, text, known):
    unknown = sorted(set(PLACEHOLDER.findall(text)) - set(known))
    if unknown:
        yield path, (f"unknown placeholder(s) {', '.join('{' + u + '}' for u in unknown)}; the kit fills "
                     f"{', '.join('{' + p + '}' for p in known)} here")


def _plainer(problem):
    """A trigger's oneOf failure, said the way a manifest author would understand it."""
    path, message = problem
    if "under more than one of the schemas" in message:
        return path, "give either 'run' (a shell command) or 'url' (an HTTP request), not both"
    if "not valid under any of the schemas" in message:
        return path, "needs 'run' (a shell command) or 'url' (an HTTP request)"
    return problem


def _semantic_problems(data, folder=None):
    """What the schema cannot say: each claimed use case needs its trigger; {port} needs a service;
    placeholders are known ones; the service's working directory exists."""
    problems = list(_placeholder_problems(data))
    directory = (data.get("service") or {}).get("workingDirectory")
    if folder is not None and directory is not None and not (folder / directory).is_dir():
        problems.append((["service", "workingDirectory"], f"{folder / directory} is not a directory"))
    triggers = data["triggers"]
    names = [name for kind in FIXED_VARIABLES for name in (data["environment"].get(kind) or {})]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append((["environment"], f"{name} is set in more than one of extra, settings and secrets"))
    for i, use_case in enumerate(data["integration"]["useCases"]):
        if use_case not in triggers:
            problems.append((["integration", "useCases", i],
                             f"the integration claims {use_case!r} but triggers has no {use_case!r} entry "
                             "telling the kit how to run it"))
    if "service" not in data:
        port_bound = re.compile(r"\{(port|service_url)\}")
        for name, trigger in triggers.items():
            if port_bound.search(json.dumps(trigger)):
                problems.append((["triggers", name], "uses {port}, which only exists when a service is started"))
        for kind in FIXED_VARIABLES:
            for name, value in (data["environment"].get(kind) or {}).items():
                if port_bound.search(value) or ("{redirect_uri}" in value
                                                and "{port}" in data["integration"]["redirectUri"]):
                    problems.append((["environment", kind, name],
                                     "uses {port}, which only exists when a service is started"))
        if "{port}" in data["integration"]["redirectUri"]:
            problems.append((["integration", "redirectUri"], "uses {port} but the manifest starts no service"))
    return problems


@lru_cache(maxsize=1)
def _validator():
    import jsonschema_rs

    return jsonschema_rs.validator_for(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
