"""YAML documents checked against a JSON Schema, with every problem as ``file:line: field: what``.

Shared by the scenario loader and the conformance kit's manifest loader. Parsing uses libyaml
when present; only an invalid document is composed again to find the line of each field.
"""

import json
import math

# Bounds on what a document may make the loader build (emulator decisions, generous for any
# hand-written file): aliases may add at most MAX_ALIAS_NODES nodes to the document as written
# (a "billion laughs" file adds billions), nesting is at most MAX_DEPTH, integers fit 64 bits.
MAX_ALIAS_NODES = 100_000
MAX_DEPTH = 64
INT_LIMIT = 2 ** 63
BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def decode(raw, source, error):
    """The text of a file that must be UTF-8; raises ``error`` naming the encoding or the line."""
    for bom, name in BOMS:
        if raw.startswith(bom) and name:
            raise error(f"{source}:1: the file is {name} (it starts with a {name} byte-order mark); save it as UTF-8")
    if b"\x00" in raw[:4]:
        raise error(f"{source}:1: the file looks like UTF-16 or UTF-32 (it holds NUL bytes); save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")  # a UTF-8 byte-order mark is harmless
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(f"{source}:{line}:{column}: the file is not UTF-8 (byte 0x{raw[exc.start]:02x} is not valid "
                    "there; Latin-1 or Windows-1252 text looks like this); save it as UTF-8") from None


def parse(text, source, error):
    """The YAML (or JSON) mapping in ``text``; raises ``error(message)`` when it is not one.

    Refused with the line: a key given twice in one mapping (YAML would keep the last silently),
    aliases that expand the document past MAX_ALIAS_NODES, nesting past MAX_DEPTH, integers past
    64 bits and non-finite numbers."""
    import yaml  # here, not at the top: a cached scenario needs no YAML at all

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_expansion(node, source, error)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise error(f"{where}: not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise error(f"{source}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    # YAML turns unquoted timestamps into datetimes; schemas want strings.
    return json.loads(json.dumps(data, default=str))


_LOADER = None


def _loader_class():
    """libyaml's safe loader (when present) whose constructor refuses duplicate keys and
    out-of-range numbers, with the line of each."""
    global _LOADER
    if _LOADER is None:
        import yaml

        class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            def construct_mapping(self, node, deep=False):
                if isinstance(node, yaml.MappingNode):
                    seen = {}
                    for key_node, _ in node.value:
                        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                        if key is not None and key in seen and key_node.tag != "tag:yaml.org,2002:merge":
                            raise yaml.constructor.ConstructorError(
                                None, None, f"duplicate key {key!r}: given at line {seen[key] + 1} and again at "
                                f"line {key_node.start_mark.line + 1} of the same mapping", key_node.start_mark)
                        seen.setdefault(key, key_node.start_mark.line)
                return super().construct_mapping(node, deep=deep)

            def construct_yaml_int(self, node):
                digits = str(node.value).replace("_", "").lstrip("+-")
                if len(digits) > 30:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the number {node.value[:20]}... ({len(node.value)} characters) is out of "
                        "range (a signed 64-bit integer)", node.start_mark)
                value = super().construct_yaml_int(node)
                if not -INT_LIMIT <= value < INT_LIMIT:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the number {node.value} is out of range (a signed 64-bit integer)", node.start_mark)
                return value

            def construct_yaml_float(self, node):
                value = super().construct_yaml_float(node)
                if not math.isfinite(value):
                    raise yaml.constructor.ConstructorError(
                        None, None, f"{node.value!r} is not a finite number", node.start_mark)
                return value

        Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
        Loader.add_constructor("tag:yaml.org,2002:float", Loader.construct_yaml_float)
        _LOADER = Loader
    return _LOADER


def _check_expansion(root, source, error):
    """Refuse a document whose aliases would make it grow past MAX_ALIAS_NODES more nodes than it
    has, or that nests deeper than MAX_DEPTH: counted over the node graph, each node once."""
    import yaml

    size = {}
    stack = [(root, False, 1)]
    while stack:
        node, children_done, level = stack.pop()
        if id(node) in size:
            continue
        if level > MAX_DEPTH:
            raise error(f"{source}:{node.start_mark.line + 1}: the document nests more than {MAX_DEPTH} levels deep")
        children = _children(node, yaml)
        if not children_done:
            stack.append((node, True, level))
            stack.extend((child, False, level + 1) for child in children if id(child) not in size)
            continue
        size[id(node)] = 1 + sum(size[id(child)] for child in children)
        if size[id(node)] - len(size) > MAX_ALIAS_NODES:
            raise error(f"{source}:{node.start_mark.line + 1}: YAML aliases expand this document past "
                        f"{MAX_ALIAS_NODES:,} more nodes than it holds (an alias bomb?); write the data out "
                        "or use fewer aliases")


def _children(node, yaml):
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


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
