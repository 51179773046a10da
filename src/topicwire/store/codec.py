"""Lossless JSON for what a record carries beyond its modelled fields.

``extra`` holds whatever the front matter had: YAML can give dates, timestamps, non-string keys,
binary, sets; JSON has none of these. ``encode_value`` turns such values into tagged objects
(``{"$date": "2024-01-31"}``) and ``decode_value`` turns them back, so a record stored and read
again is equal to the one given. Plain JSON values are stored as they are, key order kept.

``nested_to_json``/``nested_from_json`` do the same for a whole nested record (a related item,
a provider block, an image): modelled keys in the record's camelCase shape, datetimes as ISO
strings.
"""

from __future__ import annotations

import base64
import functools
import math
from datetime import date, datetime, time
from typing import Any, TypeVar

from topicwire.errors import StoreError
from topicwire.model import Image, Provider, RelatedItem, _Record

R = TypeVar("R", bound=_Record)

_TAG = "$"
#: nested record fields of the classes stored as JSON, by class then field name
_NESTED: dict[type[_Record], dict[str, type[_Record]]] = {
    RelatedItem: {"provider": Provider, "images": Image},
    Provider: {"images": Image},
    Image: {},
}


def encode_value(value: Any) -> Any:
    """A JSON-safe form of ``value`` that ``decode_value`` turns back into an equal value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, list):
        return [encode_value(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith(_TAG) for key in value):
            return {key: encode_value(item) for key, item in value.items()}
        return {"$pairs": [[encode_value(k), encode_value(v)] for k, v in value.items()]}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [encode_value(item) for item in value]}
    if isinstance(value, set | frozenset):
        return {"$set": [encode_value(item) for item in value]}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    raise StoreError(f"cannot store a value of type {type(value).__name__}: {value!r}")


def _decode_tagged(tag: str, data: Any) -> Any:
    if tag == "$datetime":
        return datetime.fromisoformat(data)
    if tag == "$date":
        return date.fromisoformat(data)
    if tag == "$time":
        return time.fromisoformat(data)
    if tag == "$float":
        return float(data)
    if tag == "$tuple":
        return tuple(decode_value(item) for item in data)
    if tag == "$set":
        return {decode_value(item) for item in data}
    if tag == "$bytes":
        return base64.b64decode(data)
    if tag == "$pairs":
        return {decode_value(k): decode_value(v) for k, v in data}
    raise StoreError(f"unknown tag {tag!r} in stored JSON")


def decode_value(data: Any) -> Any:
    """The value ``encode_value`` was given."""
    if isinstance(data, list):
        return [decode_value(item) for item in data]
    if isinstance(data, dict):
        if len(data) == 1:
            ((key, inner),) = data.items()
            if key.startswith(_TAG):
                try:
                    return _decode_tagged(key, inner)
                except (TypeError, ValueError) as exc:  # a row not written by encode_value
                    raise StoreError(f"stored JSON holds a bad {key!r} value: {exc}") from exc
        return {key: decode_value(item) for key, item in data.items()}
    return data


def encode_extra(extra: dict[str, Any]) -> Any:
    """The stored form of an ``extra`` mapping (a JSON object, order kept)."""
    return encode_value(extra)


def decode_extra(data: Any) -> dict[str, Any]:
    """The ``extra`` mapping back from its stored form (``{}`` for SQL NULL)."""
    if data is None:
        return {}
    value = decode_value(data)
    if not isinstance(value, dict):
        raise StoreError(f"stored extra is not an object: {data!r}")
    return value


def nested_to_json(record: _Record) -> dict[str, Any]:
    """The record mapping of ``record`` made JSON-safe: like ``to_data()`` with datetimes as ISO
    strings, nested records dumped the same way and ``extra`` values encoded losslessly."""
    out: dict[str, Any] = {}
    for name, field in type(record).model_fields.items():
        if name == "extra":
            continue
        value = getattr(record, name)
        if value is None or (isinstance(value, list) and not value):
            continue
        if isinstance(value, _Record):
            value = nested_to_json(value)
        elif isinstance(value, list):
            value = [
                nested_to_json(v) if isinstance(v, _Record) else encode_value(v) for v in value
            ]
        elif isinstance(value, datetime):
            value = value.isoformat()
        else:
            value = encode_value(value)
        out[field.alias or name] = value
    for key, value in record.extra.items():
        out[key] = encode_value(value)
    return out


def nested_from_json(cls: type[R], data: dict[str, Any]) -> R:
    """The record ``nested_to_json`` was given, rebuilt as ``cls``."""
    return cls.model_validate(nested_fields(cls, data))


@functools.cache
def _fields_by_key(cls: type[_Record]) -> dict[str, str]:
    """Field names of ``cls`` by record key (alias or name)."""
    return {(field.alias or name): name for name, field in cls.model_fields.items()}


def nested_fields(cls: type[_Record], data: dict[str, Any]) -> dict[str, Any]:
    """The input ``cls.model_validate`` takes to rebuild the record ``nested_to_json`` was
    given, nested records left as such mappings (validated along with their parent: one
    validation for a whole tree rather than one per record)."""
    by_key = _fields_by_key(cls)
    nested = _NESTED.get(cls, {})
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        name = by_key.get(key)
        if name is None or name == "extra":
            extra[key] = decode_value(value)
        elif name in nested and isinstance(value, list):
            fields[name] = [nested_fields(nested[name], item) for item in value]
        elif name in nested:
            fields[name] = nested_fields(nested[name], value)
        else:
            fields[name] = decode_value(value)
    fields["extra"] = extra
    return fields
