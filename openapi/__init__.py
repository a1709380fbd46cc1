"""The contract, shipped inside the package as ``mock_server.data.openapi`` (see pyproject.toml)."""
