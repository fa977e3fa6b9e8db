"""The one way the platform reads and writes YAML files that people edit (catalog, holiday schedules).

:func:`load_yaml` is ``yaml.safe_load`` made strict in two ways:

* a mapping that repeats one of its own keys is an error (:class:`DuplicateKeyError`, a
  ``MarkedYAMLError`` that carries the line and column), where PyYAML would silently keep the
  last value (keys taken over from a ``<<`` merge may still be overridden);
* dates and timestamps stay text: ``2027-13-01`` reaches the caller as the string it is, so the
  caller can report it against its entry and field instead of the whole file failing to load.

It uses the libyaml-backed loader when PyYAML was built with it (the same rules, faster).
:func:`dump_yaml` writes plain block YAML with Chinese kept readable and keys in the given order.
"""

from __future__ import annotations

from typing import Any, Final

import yaml

__all__ = ["DuplicateKeyError", "StrictLoader", "dump_yaml", "load_yaml", "problem_of"]

_TIMESTAMP_TAG: Final = "tag:yaml.org,2002:timestamp"
_MERGE_TAG: Final = "tag:yaml.org,2002:merge"


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping repeats a key (``problem`` names it, ``problem_mark`` points at the repetition)."""


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    """Mapping constructor that rejects duplicate keys (PyYAML silently keeps the last one).

    Only the mapping's own keys count: a key it takes over from a ``<<`` merge may be overridden,
    as YAML's merge rules intend.
    """
    seen: set[Any] = set()
    for key_node, _value in node.value:
        if key_node.tag == _MERGE_TAG:
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:  # an unhashable key: the base constructor reports it
            continue
        if duplicate:
            raise DuplicateKeyError(problem=f"重复的键：{key}", problem_mark=key_node.start_mark)
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=True)  # flattens merges itself
    return mapping


def _make_loader() -> type[Any]:
    """A safe loader (libyaml-backed when available) with duplicate-key checks and no timestamps."""
    base: type[Any] = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    loader: type[Any] = type("StrictLoader", (base,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return loader


StrictLoader: Final = _make_loader()
"""The loader behind :func:`load_yaml` (a ``SafeLoader`` / ``CSafeLoader`` subclass)."""


def load_yaml(text: str) -> Any:
    """Parse one YAML document strictly (see the module docstring).

    Raises ``yaml.YAMLError`` (``yaml.MarkedYAMLError`` with a position for syntax errors and
    repeated keys); a few malformed scalars raise ``ValueError``, ``TypeError`` or ``OverflowError``
    from PyYAML's constructors.
    """
    return yaml.load(text, Loader=StrictLoader)  # a SafeLoader subclass: safe


def problem_of(exc: yaml.YAMLError) -> tuple[str, int | None, int | None]:
    """What went wrong and where: ``(problem, line, column)``, 1-based, position None when unknown."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "无法解析"
        if mark is not None:
            return problem, mark.line + 1, mark.column + 1
        return problem, None, None
    return str(exc), None, None


def dump_yaml(data: Any, *, width: int = 100) -> str:
    """Block-style YAML, keys in insertion order, non-ASCII text written as is."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=width)
