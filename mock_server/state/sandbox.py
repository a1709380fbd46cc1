"""A sandbox: one isolated world (store, clock, ids) and one object per area of operations.

Each area object is given what it needs, explicitly: the store, the clock, the ids, and the
other areas it asks (through their public methods). Operation methods are named after the
OpenAPI operationIds, so a view ``create_review_reply`` calls
``sandbox.reviews.create_review_reply``.
"""

from .access import AccessRules
from .business_units import BusinessUnits
from .clock import Clock
from .consumer_profiles import ConsumerProfiles
from .control import Control
from .faults import Faults
from .ids import RuntimeIds
from .invitations import Invitations
from .journal import Journal
from .oauth import OAuth
from .partners import Partners
from .product_reviews import ProductReviews
from .resources import Resources
from .reviews import ConsumerReviews, Reviews
from .settings import Settings
from .showcase import Showcase
from .store import Store
from .webhooks import Webhooks
from .world import install


class Sandbox:
    def __init__(self, name, store: Store, scenario=None, fresh=False, progress=None):
        """Open ``store``; load ``scenario`` when the store holds no world yet (or ``fresh``),
        telling ``progress`` (world.install) of the reviews written."""
        self.name = name
        self.store = store
        self.clock = Clock(store)
        self.ids = RuntimeIds(store)
        self.settings = Settings(store)
        self.access = AccessRules(store, self.clock, self.settings)
        self.journal = Journal(store, self.clock, self.settings, self.access)
        self.business_units = BusinessUnits(store, self.access)
        self.partners = Partners(store, self.clock, self.ids, self.access, self.business_units)
        self.oauth = OAuth(store, self.clock, self.ids, self.settings, self.access)
        self.showcase = Showcase(store, self.access, self.business_units)
        self.reviews = Reviews(store, self.clock, self.access, self.business_units)
        self.webhooks = Webhooks(name, store, self.clock, self.ids, self.settings)
        self.consumers = ConsumerReviews(store, self.clock, self.ids, self.business_units, self.reviews,
                                         self.webhooks)
        self.consumer_profiles = ConsumerProfiles(store, self.access, self.business_units)
        self.resources = Resources(store, self.access, self.business_units)
        self.product_reviews = ProductReviews(store, self.access, self.business_units)
        self.invitations = Invitations(store, self.clock, self.ids, self.access, self.business_units)
        self.faults = Faults(store, self.clock, self.ids, self.settings)
        self.control = Control(name, store, self.clock, self.settings, self.journal, self.business_units)
        with store.read() as db:
            empty = store.get_meta(db, "scenario") is None
        self.installed = fresh or empty  # this opening loaded the world (the start-up message says which)
        if fresh or empty:
            if scenario is None:
                raise ValueError(f"sandbox {name!r} has no world and no scenario was given")
            with store.bulk_transaction() as db:  # nobody else has the store open yet
                install(db, store, self.clock, scenario, progress)
                self.journal.empty(db)
