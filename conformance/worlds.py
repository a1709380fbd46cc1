"""The kit's worlds (scenarios/conformance/*.yaml): which one a check gets, fresh, in its own sandbox.

The partner's registered redirect URI comes from the manifest, with the port the kit started the
partner's service on; everything else is the scenario file as written.
"""

import copy
import uuid
from dataclasses import dataclass
from functools import lru_cache

from mock_server import scenario
from mock_server.testing.client import Sandbox

WORLDS_DIR = scenario.SCENARIO_DIR / "conformance"
# The kit's own application in every kit world: its reads (which review to reply to, whether
# the reply arrived) are journaled like any other and left out of what the checks judge.
KIT_API_KEY = "conformance-kit-reader"


@lru_cache(maxsize=None)
def _scenario(name):
    return scenario.load_file(WORLDS_DIR / f"{name}.yaml")


def base_scenario(name):
    """A fresh copy of the kit world ``name``, to change (the explorer's generated worlds)."""
    return copy.deepcopy(_scenario(name))


def scenario_for(name, redirect_uri, scenario=None):
    world = copy.deepcopy(scenario) if scenario is not None else base_scenario(name)
    world["partners"][0]["redirectUris"] = [redirect_uri]
    return world


@dataclass
class Customer:
    """A business unit of the world as the kit knows it (the partner's integration does not)."""
    id: str
    domain: str
    name: str
    admin_email: str
    admin_password: str
    plan: str
    partner_permissions: bool


class World:
    """One check's sandbox: the control client, the partner's credentials and the customers."""

    def __init__(self, server, name, redirect_uri, scenario=None):
        self.name = name
        self.scenario = scenario_for(name, redirect_uri, scenario)
        self.sandbox = Sandbox.connect(server.url, name=f"kit-{name}-{uuid.uuid4().hex[:8]}",
                                       scenario=self.scenario, session=server.session())

    @property
    def partner(self):
        return self.scenario["partners"][0]

    def customer(self, domain):
        unit = next(u for u in self.scenario["businessUnits"] if u["domain"] == domain)
        admin = next(u for u in unit["users"] if u.get("role") == "admin")
        return Customer(unit["id"], unit["domain"], unit["displayName"], admin["email"], admin["password"],
                        unit["plan"], unit["partnerPermissions"])

    def customers(self):
        return [self.customer(u["domain"]) for u in self.scenario["businessUnits"]]

    def close(self):
        self.sandbox.close()
