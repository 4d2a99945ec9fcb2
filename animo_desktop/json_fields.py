"""Typed reads of JSON read back from disk (session state, artwork sidecars).

A file the app wrote can still come back wrong (edited by hand, written by another
version, damaged): each value is checked where it is read, so that a wrong type is a
ValueError naming the field rather than a TypeError deep in the code that uses it.
"""

from __future__ import annotations

from typing import Any, Mapping

NUMBER = (int, float)
OPTIONAL_TEXT = (str, type(None))
_REQUIRED = object()


def json_field(data: Any, key: str, kinds: type | tuple[type, ...],
               default: Any = _REQUIRED) -> Any:
    """data[key], or default when it is absent; ValueError when data is not an object, the
    field is required and absent, or its value is not one of kinds."""
    if not isinstance(data, Mapping):
        raise ValueError(f"expected a JSON object, found {type(data).__name__}")
    if key not in data:
        if default is _REQUIRED:
            raise ValueError(f"{key!r} is missing")
        return default
    value = data[key]
    if not isinstance(value, kinds):
        raise ValueError(f"{key!r} is {type(value).__name__} {value!r:.40}, not "
                         f"{_names(kinds)}")
    return value


def json_items(data: Any, key: str, kinds: type | tuple[type, ...]) -> list[Any]:
    """The list data[key] (empty when absent), each item one of kinds."""
    items = json_field(data, key, list, [])
    for item in items:
        if not isinstance(item, kinds):
            raise ValueError(f"{key!r} holds {type(item).__name__} {item!r:.40}, not "
                             f"{_names(kinds)}")
    return items


def _names(kinds: type | tuple[type, ...]) -> str:
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    return " or ".join("null" if kind is type(None) else kind.__name__ for kind in kinds)
