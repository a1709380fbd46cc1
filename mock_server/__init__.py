"""The Trustpilot partner sandbox: a stateful emulator of the Trustpilot API."""

from .app import create_app

__all__ = ["create_app"]
