"""OVH's published API schema (`/1.0/ovhCloudConnect.json`, `/1.0/vrack.json`, copied in
`ovh_schema/`) and a validator of live answers against it.

`validate(schema, type_name, value)` checks a JSON value against a schema type: primitive types
(`long`, `string`, `uuid`, `ipv4Block`, `datetime`…), arrays (`T[]`), maps, enum models (the
value is one of `enum`) and object models. An object must carry exactly the model's properties
(none missing, none more), each of its type; `null` only where the property `canBeNull`.
It returns the list of problems, empty when the value conforms.
"""

import datetime
import ipaddress
import json
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent / "ovh_schema"


def load():
    """The two schema files merged: `apis` (with each file's) and `models`."""
    apis, models = [], {}
    for name in ("ovhCloudConnect.json", "vrack.json"):
        doc = json.loads((HERE / name).read_text())
        apis.extend(doc["apis"])
        models.update(doc["models"])
    return {"apis": apis, "models": models}


def operations(schema):
    """Every `(method, path, responseType)` of the schema, in its order."""
    return [
        (op["httpMethod"], api["path"], op["responseType"])
        for api in schema["apis"]
        for op in api["operations"]
    ]


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _parses(parse, v):
    if not isinstance(v, str):
        return False
    try:
        parse(v)
    except ValueError:
        return False
    return True


def _datetime(text):
    datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _ip_block(text):
    ipaddress.ip_network(text, strict=True)


PRIMITIVES = {
    "long": _is_int,
    "int": _is_int,
    "double": lambda v: _is_int(v) or isinstance(v, float),
    "boolean": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "password": lambda v: isinstance(v, str),
    "text": lambda v: isinstance(v, str),
    "uuid": lambda v: _parses(uuid.UUID, v),
    "datetime": lambda v: _parses(_datetime, v),
    "date": lambda v: _parses(datetime.date.fromisoformat, v),
    "ipv4": lambda v: _parses(ipaddress.IPv4Address, v),
    "ipv6": lambda v: _parses(ipaddress.IPv6Address, v),
    "ip": lambda v: _parses(ipaddress.ip_address, v),
    "ipv4Block": lambda v: _parses(lambda t: ipaddress.IPv4Network(t, strict=True), v),
    "ipv6Block": lambda v: _parses(lambda t: ipaddress.IPv6Network(t, strict=True), v),
    "ipBlock": lambda v: _parses(_ip_block, v),
}


def validate(schema, type_name, value, where="$"):
    """The problems of `value` as a `type_name` (empty: it conforms)."""
    if type_name == "void":
        return [] if value is None else [f"{where}: {value!r} for void"]
    if type_name.endswith("[]"):
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not a list of {type_name[:-2]}"]
        return [p for i, v in enumerate(value)
                for p in validate(schema, type_name[:-2], v, f"{where}[{i}]")]
    if type_name.startswith("map[string]"):
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not a {type_name}"]
        return [p for k, v in value.items()
                for p in validate(schema, type_name[len("map[string]"):], v, f"{where}.{k}")]
    if type_name in PRIMITIVES:
        return [] if PRIMITIVES[type_name](value) else [f"{where}: {value!r} is not a {type_name}"]
    model = schema["models"].get(type_name)
    if model is None:
        return [f"{where}: the schema has no type {type_name}"]
    if "enum" in model:
        return [] if value in model["enum"] else [f"{where}: {value!r} not in {model['enum']}"]
    if not isinstance(value, dict):
        return [f"{where}: {value!r} is not a {type_name}"]
    properties = model.get("properties") or {}
    problems = [f"{where}: {type_name} has no property {k!r}" for k in value if k not in properties]
    for name, prop in properties.items():
        at = f"{where}.{name}"
        if name not in value:
            problems.append(f"{at}: missing ({type_name})")
        elif value[name] is None:
            if not prop.get("canBeNull"):
                problems.append(f"{at}: null, but {type_name}.{name} cannot be null")
        else:
            problems.extend(validate(schema, prop["type"], value[name], at))
    return problems
