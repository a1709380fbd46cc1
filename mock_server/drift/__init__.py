"""The drift check (``trustpilot-mock compare``): the sandbox's answers against a real API's, by shape.

calls.py is the call set (data), sides.py the two sides and their GET-only session, run.py the
replay and comparison, shapes.py the JSON shapes and their differences, report.py the text and
JSON reports, command.py the subcommand.
"""
