"""The shipped data: ``openapi`` and ``scenarios`` are the top-level folders of the source tree,
mapped here by pyproject.toml (see mock_server/resources.py)."""
