"""YAML documents checked against a JSON Schema, with every problem as ``file:line: field: what``.

Shared by the scenario loader and the conformance kit's manifest loader. Parsing uses libyaml
when present; only an invalid document is composed again to find the line of each field.
"""

import json


def parse(text, source, error):
    """The YAML (or JSON) mapping in ``text``; raises ``error(message)`` when it is not one."""
    import yaml  # here, not at the top: a cached scenario needs no YAML at all

    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise error(f"{where}: not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise error(f"{source}: not valid YAML: {exc}") from None
    # YAML turns unquoted timestamps into datetimes; schemas want strings.
    return json.loads(json.dumps(data, default=str))


def schema_problems(validator, data):
    """(path, message) of every schema error; enum and unknown-key messages made specific."""
    return [_schema_problem(e) for e in validator.iter_errors(data)]


def _schema_problem(error):
    path, kind = list(error.instance_path), error.kind
    if type(kind).__name__ == "Enum":
        return path, f"{error.instance!r} is not one of: {', '.join(map(str, kind.options))}"
    if type(kind).__name__ == "AdditionalProperties":
        unexpected = list(kind.unexpected)
        return path + unexpected[:1], f"unknown field(s) {', '.join(map(repr, unexpected))}"
    return path, error.message


def describe(problems, text, source, limit=20):
    """One ``source:line: field: message`` line per problem (the first ``limit`` of them)."""
    root = _compose(text)
    lines = [f"{source}:{_line_of(root, path)}: {dotted(path) or '(top level)'}: {message}"
             for path, message in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more problems")
    return "\n".join(lines)


def dotted(path):
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _compose(text):
    import yaml

    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None


def _line_of(node, path):
    """The 1-based line of the deepest node of ``path`` that exists in the file."""
    import yaml

    line = node.start_mark.line + 1 if node is not None else 1
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            child = node.value[step]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line
