"""The state layer: the world, its rules and its clock. Never imports Flask."""
