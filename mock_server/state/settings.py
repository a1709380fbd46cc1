"""The sandbox's settings at run time: read them, change some of them until the next reset or load.

The scenario's ``settings`` (over DEFAULT_SETTINGS) are installed with the world; a change made
here lasts until ``POST /_mock/reset`` or a world load installs the scenario's again.
"""

from . import errors
from .world import DEFAULT_SETTINGS, REQUEST_VALIDATION_MODES, settings_of


class Settings:
    """The settings of one sandbox: what other areas read (``current``) and the control plane changes."""

    def __init__(self, store):
        """``store``: the sandbox's Store (the settings are its meta row 'settings')."""
        self.store = store

    def current(self, db):
        """The settings (read-only), merged over the defaults once per stored value: a world kept
        with --state may predate a newer setting."""
        return self.store.get_meta_as(db, "settings", _with_defaults)

    def get_request_validation_mode(self):
        """'strict', 'lenient' or 'off' (see api/request_validation.py)."""
        with self.store.read() as db:
            return self.current(db)["requestValidation"]  # current() fills in the default

    def update_sandbox_settings(self, changes):
        """Merge ``changes`` (already checked against the scenario schema's settings) into the settings."""
        unknown = set(changes) - set(DEFAULT_SETTINGS)
        if unknown:
            raise errors.MalformedRequest(f"unknown setting(s) {', '.join(sorted(unknown))}; "
                                          f"the settings that change at run time are {', '.join(DEFAULT_SETTINGS)}")
        mode = changes.get("requestValidation", "lenient")
        if mode not in REQUEST_VALIDATION_MODES:
            raise errors.MalformedRequest(f"'requestValidation' must be one of "
                                          f"{', '.join(REQUEST_VALIDATION_MODES)}, got {mode!r}")
        with self.store.transaction() as db:
            settings = {**self.current(db), **changes}
            self.store.set_meta(db, "settings", settings)
        return settings


def _with_defaults(stored):
    return settings_of({"settings": stored or {}})
