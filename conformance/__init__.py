"""The conformance kit (issue 4): runs a partner's integration against the sandbox. Not built yet."""
