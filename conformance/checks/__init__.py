"""The requirement catalog: every check, in the order reports list them."""

from . import onboarding, authorization, calls, tokens, use_cases, robustness, security, program  # noqa: F401
from .base import CATALOG, Blocked, Check, CheckFailed, NothingToJudge, NotApplicable, check  # noqa: F401
