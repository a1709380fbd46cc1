"""The scenarios and their schema, shipped inside the package as ``mock_server.data.scenarios``
(see pyproject.toml)."""
