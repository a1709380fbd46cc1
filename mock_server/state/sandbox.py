"""A sandbox: one isolated world (store, clock, ids) and every operation on it.

Operation methods are named after the OpenAPI operationIds; they live in the mixins by area.
"""

from .access import AccessRules
from .areas import AREAS
from .business_units import BusinessUnitOps
from .clock import Clock
from .control import ControlOps
from .ids import RuntimeIds
from .journal import JournalOps
from .oauth import OAuthOps
from .partners import PartnerOps
from .settings import SettingsOps
from .store import Store
from .world import install, settings_of


class Sandbox(AccessRules, OAuthOps, BusinessUnitOps, PartnerOps, JournalOps, ControlOps, SettingsOps,
              *(area.Ops for area in AREAS)):
    def __init__(self, name, store: Store, scenario=None, fresh=False, progress=None):
        """Open ``store``; load ``scenario`` when the store holds no world yet (or ``fresh``),
        telling ``progress`` (world.install) of the reviews written."""
        self.name = name
        self.store = store
        self.clock = Clock(store)
        self.ids = RuntimeIds(store)
        self._unwritten_journal = []  # journal.py: a memory store's entries waiting to be written
        with store.read() as db:
            empty = store.get_meta(db, "scenario") is None
        self.installed = fresh or empty  # this opening loaded the world (the start-up message says which)
        if fresh or empty:
            if scenario is None:
                raise ValueError(f"sandbox {name!r} has no world and no scenario was given")
            with store.bulk_transaction() as db:  # nobody else has the store open yet
                install(db, store, self.clock, scenario, progress)
                self._empty_journal(db)

    def settings(self, db):
        """The settings (read-only), merged over the defaults once per stored value: a world kept
        with --state may predate a newer setting."""
        return self.store.get_meta_as(db, "settings", _with_defaults)


def _with_defaults(stored):
    return settings_of({"settings": stored or {}})
