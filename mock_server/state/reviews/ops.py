"""Review operations (named after the operationIds): public and private reads, reply, tags."""


class ReviewOps:
    """Mixin of Sandbox."""
