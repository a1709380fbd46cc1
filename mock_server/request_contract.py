"""What openapi/trustpilot.yaml says a request may look like, checked with jsonschema-rs (no Flask).

The document is read on first use (a cached JSON copy, else libyaml) and each operation is
compiled into one JSON Schema on its first request: ``{"path": {...}, "query": {...},
"header": {...}, "body": ...}``, so one validation call checks a whole request and every
error's instance path says where it is. Security is never checked here: credentials are the
views' job.

Deserialisation follows the contract where it can and the emulator where the contract cannot
say more (emulator decisions):
  * query values are text, turned into integers, numbers or booleans only where the
    parameter's schema has no string type; anything that does not convert stays text, so the
    schema reports the wrong type (path parameters are strings in this contract);
  * array query parameters take the key repeated and comma-joined values (the parameters'
    descriptions promise both; OpenAPI styles cannot say "either");
  * a repeated scalar parameter is read as its first value, as the views read it;
  * ``x-query-rules`` on an operation (a list of ``{schema, message}``) states what OpenAPI
    cannot say about parameters together (``cursor`` not with ``page``; ``sku`` or ``productUrl``):
    each schema is checked against the query's names and first values, and ``message`` is the
    violation when it fails;
  * a body is checked only when its media type is one the operation declares (the views
    answer 415 for the others); JSON that does not parse is one violation; form fields are
    text, as the wire sends them, and an empty required form is checked as ``{}`` so that
    each missing field is named.
"""

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import jsonschema_rs

from . import json_input
from .json_cache import cached_json
from .resources import OPENAPI_DIR

SPEC_PATH = OPENAPI_DIR / "trustpilot.yaml"
METHODS = ("get", "put", "post", "delete", "patch")
LOCATIONS = ("path", "query", "header", "body")
FORM = "application/x-www-form-urlencoded"
INTEGER = re.compile(r"-?[0-9]{1,30}")
NUMBER = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?([eE][-+]?[0-9]{1,3})?")
NO_BODY = object()  # nothing to check (not the JSON value null)
MAX_VIOLATIONS = 10
MAX_MESSAGE = 300
# Values never repeated in a message (the journal redacts the same names).
SECRET_NAMES = {"password", "client_secret", "apisecret", "api_secret", "token", "access_token",
                "refresh_token", "code", "secret"}


@dataclass(frozen=True)
class RequestParts:
    """One request as plain values: what the HTTP layer read, before any view saw it."""

    path: dict          # path parameters by the contract's names
    query: dict         # name -> the values sent, in order
    headers: object     # a mapping whose get() ignores the case of names (werkzeug's Headers)
    media_type: str     # the body's media type without parameters, '' when none
    body: bytes
    form: list          # (name, value) pairs of a form body


@dataclass(frozen=True)
class Operation:
    """One compiled operation of the contract."""

    operation_id: str
    path: str
    error_family: str       # 'oauth', 'page' or 'service': how a violation is answered
    anonymous: bool         # the operation accepts requests without credentials
    bearer_only: bool       # only a bearer token is accepted (a private route)
    parameters: dict        # (location, name) -> parameter object, $refs resolved
    body: dict | None       # media type -> schema, None without a request body
    body_required: bool
    validator: object
    query_rules: tuple = ()  # (validator, message, the parameter it names) per x-query-rules entry
    header_names: tuple = ()  # the header parameters, lower-case: what the check reads of the headers


class RequestContract:
    """The request side of the contract, compiled lazily and shared by every request of a process."""

    def __init__(self, spec_path=SPEC_PATH):
        self.spec_path = Path(spec_path)
        self._lock = threading.Lock()
        self._document = None
        self._operations = {}

    def operation(self, operation_id):
        """The compiled operation, or None when the contract has no such operationId."""
        compiled = self._operations.get(operation_id)
        if compiled is None:
            with self._lock:
                compiled = self._operations.get(operation_id) or self._compile(operation_id)
                self._operations[operation_id] = compiled
        return compiled or None

    def check(self, operation, parts):
        """The violations of one request: [{"in", "name", "message"}], at most MAX_VIOLATIONS."""
        instance, problems = {"path": parts.path, "query": {}, "header": {}}, []
        for (location, name), param in operation.parameters.items():
            if location == "query":
                if name in parts.query:
                    instance["query"][name] = _read_query(parts.query[name], param.get("schema", {}), self._resolve)
            elif location == "header":
                value = parts.headers.get(name)
                if value is not None:
                    instance["header"][name] = value
        if operation.body is not None:
            body, problem = self._read_body(operation, parts)
            if problem:
                problems.append(_violation("body", "", problem))
            elif body is not NO_BODY:
                instance["body"] = body
        for validator, message, name in operation.query_rules:
            if not validator.is_valid({key: values[0] for key, values in parts.query.items() if values}):
                problems.append(_violation("query", name, message))
        if not problems and operation.validator.is_valid(instance):
            return []  # most requests: is_valid is half the cost of collecting no errors
        for error in operation.validator.iter_errors(instance):
            problems.extend(_describe(leaf) for leaf in _best_match(error))
            if len(problems) >= MAX_VIOLATIONS:
                break
        return problems[:MAX_VIOLATIONS]

    # -- compiling -------------------------------------------------------------------------
    def _doc(self):
        if self._document is None:
            self._document = _load(self.spec_path)
        return self._document

    def _resolve(self, node):
        """Follow local $refs ('#/components/...') until a node without one."""
        while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
            target = self._doc()
            for part in node["$ref"][2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _compile(self, operation_id):
        found = self._find(operation_id)
        if found is None:
            return False  # cached as 'not in the contract'
        path, item, op = found
        parameters = {}
        for raw in item.get("parameters", []) + op.get("parameters", []):  # the operation's win
            param = self._resolve(raw)
            location = param["in"]
            name = param["name"].lower() if location == "header" else param["name"]
            parameters[(location, name)] = param
        request_body = self._resolve(op.get("requestBody")) if "requestBody" in op else None
        body = ({media: content.get("schema", {}) for media, content in request_body.get("content", {}).items()}
                if request_body else None)
        security = op.get("security", self._doc().get("security", []))
        schemes = {name for requirement in security for name in requirement}
        return Operation(
            operation_id=operation_id, path=path, error_family=self._error_family(op),
            anonymous=not security or {} in security,
            bearer_only=bool(schemes) and all(self._scheme_is_bearer(name) for name in schemes),
            parameters=parameters, body=body, body_required=bool(request_body and request_body.get("required")),
            validator=self._validator(parameters, body),
            query_rules=tuple((jsonschema_rs.validator_for(rule["schema"]), rule["message"], rule.get("parameter", ""))
                              for rule in op.get("x-query-rules", [])),
            header_names=tuple(name for location, name in parameters if location == "header"))

    def _find(self, operation_id):
        for path, item in self._doc()["paths"].items():
            for method in METHODS:
                if item.get(method, {}).get("operationId") == operation_id:
                    return path, item, item[method]
        return None

    def _error_family(self, op):
        """How the operation documents a 400: the OAuth body, the HTML login page, or ServiceError."""
        documented = op.get("responses", {}).get("400")
        ref = (documented or {}).get("$ref", "")
        content = self._resolve(documented or {}).get("content", {})
        if ref.endswith("/OAuthBadRequest") or "OAuthError" in json.dumps(content):
            return "oauth"
        if ref.endswith("/LoginPageError") or (content and set(content) == {"text/html"}):
            return "page"
        return "service"

    def _scheme_is_bearer(self, name):
        scheme = self._doc().get("components", {}).get("securitySchemes", {}).get(name, {})
        return scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer"

    def _validator(self, parameters, body):
        """One schema for the whole request; components ride along so that $refs resolve."""
        locations = {location: {"type": "object", "properties": {}, "required": []}
                     for location in ("path", "query", "header")}
        for (location, name), param in parameters.items():
            if location in locations:
                locations[location]["properties"][name] = param.get("schema", {})
                if param.get("required"):
                    locations[location]["required"].append(name)
        properties = dict(locations)
        if body:
            # Which media type the body came in is known only per request: any declared schema.
            schemas = list(body.values())
            properties["body"] = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
        schemas = self._doc().get("components", {}).get("schemas", {})  # not examples, responses, ...
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                  "properties": properties, "components": {"schemas": schemas}}
        return jsonschema_rs.validator_for(schema)

    # -- reading a request -----------------------------------------------------------------
    def _read_body(self, operation, parts):
        """(body, problem): the body as the schema sees it (or NO_BODY), and what is wrong with it."""
        if not parts.body:
            if operation.body_required and FORM in operation.body and parts.media_type in ("", FORM):
                return {}, None  # an empty form: each required field is named
            return NO_BODY, "the request body is required" if operation.body_required else None
        if parts.media_type not in operation.body:
            return NO_BODY, None  # the view answers 415 with its own words
        if parts.media_type == FORM:
            return dict(_pairs_first(parts.form)), None
        if parts.media_type == "application/json" or parts.media_type.endswith("+json"):
            try:
                return json_input.loads(parts.body), None
            except json_input.JsonProblem as exc:
                return NO_BODY, str(exc)
        return NO_BODY, None


def _pairs_first(pairs):
    seen = {}
    for name, value in pairs:
        seen.setdefault(name, value)
    return seen.items()


def _load(spec_path):
    """The parsed contract, cached as JSON beside it (json_cache): saves the YAML parse (about
    25 ms of a server's first answer) on every later start."""

    def parse():
        import yaml  # only when the cached copy is missing or stale

        return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    raw = spec_path.read_bytes()
    return cached_json(spec_path, raw, parse)


def _read_query(values, schema, resolve):
    schema = resolve(schema)
    if "array" in _types(schema, resolve):
        items = resolve(schema.get("items", {}))
        return [_convert(part.strip(), items, resolve) for value in values for part in value.split(",")]
    return _convert(values[0], schema, resolve)


def _types(schema, resolve):
    """Every JSON type a schema allows, looking through anyOf/oneOf/allOf and $refs."""
    schema = resolve(schema)
    declared = schema.get("type")
    types = set([declared] if isinstance(declared, str) else declared or [])
    for keyword in ("anyOf", "oneOf", "allOf"):
        for member in schema.get(keyword, []):
            types |= _types(member, resolve)
    return types


def _convert(text, schema, resolve):
    """A text value as the schema's type, when it has no string type and the text converts."""
    types = _types(schema, resolve)
    if not types or "string" in types:
        return text
    if "integer" in types and INTEGER.fullmatch(text):
        return int(text)
    if "number" in types and NUMBER.fullmatch(text):
        return float(text)
    if "boolean" in types and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _violation(location, name, problem):
    where = {"body": "the request body" if not name else f"body field '{name}'",
             "query": f"query parameter '{name}'", "path": f"path parameter '{name}'",
             "header": f"header '{name}'"}[location]
    return {"in": location, "name": name, "message": f"{where}: {problem}" if problem else f"{where} is required"}


def _best_match(error):
    """The errors that say what is wrong: for anyOf/oneOf, those of the branch the value came
    closest to (a branch of another type is not what the caller meant)."""
    kind = type(error.kind).__name__
    if kind not in ("AnyOf", "OneOfNotValid"):
        return [error]
    here = list(error.instance_path)
    branches = [branch for branch in getattr(error.kind, "context", []) if branch and not any(
        type(e.kind).__name__ == "Type" and list(e.instance_path) == here for e in branch)]
    if not branches or all(len(b) == 1 and type(b[0].kind).__name__ == "Required" for b in branches):
        return [error]  # described as a whole: "needs one of ..."
    return [leaf for e in min(branches, key=len) for leaf in _best_match(e)]


def _describe(error):
    """A violation from a jsonschema-rs error: where (location and name or JSON pointer) and what."""
    path = [str(part) for part in error.instance_path]
    location, rest = (path[0], path[1:]) if path and path[0] in LOCATIONS else ("body", path)
    field, message = _problem(error)
    rest = rest + field
    name = rest[0] if location != "body" and rest else "/".join(rest)
    return _violation(location, name, message and _shorten(message, error.instance, rest))


def _problem(error):
    """(the field the error is about, if a child of the instance; what is wrong, None = missing)."""
    kind = type(error.kind).__name__
    if kind == "Required":  # point at the missing field itself
        return [str(error.kind.property)], None
    if kind == "Enum":  # jsonschema-rs names only the first two options
        options = [json.dumps(option, ensure_ascii=False) for option in error.kind.options]
        return [], f"{json.dumps(error.instance, ensure_ascii=False)} is not one of {', '.join(options)}"
    if kind in ("AnyOf", "OneOfNotValid"):
        branches = getattr(error.kind, "context", [])
        needed = [str(b[0].kind.property) for b in branches if len(b) == 1 and type(b[0].kind).__name__ == "Required"]
        if needed and len(needed) == len(branches):
            return [], f"needs one of {', '.join(map(repr, needed))}"
        return [], "matches none of the forms the contract allows"
    if kind == "OneOfMultipleValid":
        return [], "matches more than one of the forms the contract allows (send only one)"
    return [], error.message


def _shorten(message, instance, path):
    """The message without secret values or whole objects (which may hold secrets), cut to size."""
    if path and path[-1].lower() in SECRET_NAMES:
        message = message.replace(json.dumps(instance), "'***'")
    elif isinstance(instance, (dict, list)):
        for separators in ((",", ":"), None):
            for ascii_only in (False, True):
                message = message.replace(json.dumps(instance, separators=separators, ensure_ascii=ascii_only),
                                          "the value")
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "..."
