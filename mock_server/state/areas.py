"""The areas of the API that own tables of their own (reviews, invitations, ...).

An area is a module with:
  SCHEMA   CREATE TABLE/INDEX IF NOT EXISTS statements for its tables
  TABLES   the names of those tables (cleared when a world is (re)loaded)
  install_business_unit(db, unit, context)   write the area's part of one business unit
                                             (``unit``: its scenario entry; ``context``: world.UnitContext)
  install_world(db, scenario, now)           write the area's world-wide part (after all units)
and a class of the area's operations (named after operationIds), of which state/sandbox.py
makes one object per sandbox. Adding an area = writing the module, listing it here and
constructing its object in Sandbox.__init__.
"""

from . import consumer_profiles, faults, invitations, product_reviews, reviews, showcase, webhooks

AREAS = (reviews, consumer_profiles, showcase, product_reviews, webhooks, invitations, faults)
