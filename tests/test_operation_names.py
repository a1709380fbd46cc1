"""One name per operation: operationId -> view -> area method. tests/test_contract.py ties each
operationId to its view; this ties each view to the area method of the same name, reached as
``sandbox().<area>.<name>(...)`` (state/sandbox.py holds one object per area)."""

import ast
import inspect
import textwrap

import pytest

from mock_server import create_app

# Views that answer without an area operation of their own name, and why.
NOT_AREA_OPERATIONS = {
    "show_login_page": "the login page (oauth.start_authorization checks the client and redirect first)",
    "submit_login": "the login form (oauth.authorize issues the code)",
    "get_openapi_document": "a shipped file",
    "list_sandboxes": "the registry of sandboxes, not one sandbox",
    "create_sandbox": "the registry of sandboxes, not one sandbox",
    "delete_sandbox": "the registry of sandboxes, not one sandbox",
    "show_dashboard": "an HTML page over the control plane",
    "get_index": "a map of the sandbox",
}

APP = create_app()
VIEWS = sorted({APP.view_functions[rule.endpoint] for rule in APP.url_map.iter_rules() if rule.endpoint != "static"},
               key=lambda view: view.__name__)


def area_calls(view):
    """(area, method) of each ``sandbox().<area>.<method>`` in the view's source."""
    found = set()
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(view)))):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                and isinstance(node.value.value, ast.Call) and getattr(node.value.value.func, "id", None) == "sandbox"):
            found.add((node.value.attr, node.attr))
    return found


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.__name__)
def test_view_calls_the_area_method_of_its_own_name(view):
    calls = area_calls(view)
    if view.__name__ in NOT_AREA_OPERATIONS:
        assert view.__name__ not in {method for _, method in calls}
        return
    assert view.__name__ in {method for _, method in calls}, (
        f"{view.__module__}.{view.__name__} calls {sorted(calls)}, no area method named after it")


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.__name__)
def test_every_area_method_a_view_names_exists(view):
    sandbox = APP.extensions["sandboxes"].get("default")
    for area, method in area_calls(view):
        assert callable(getattr(getattr(sandbox, area), method, None)), f"{view.__name__}: sandbox.{area}.{method}"
