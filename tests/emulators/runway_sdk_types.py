"""Runway's request types from its official SDK (`runwayml`), as strict validators.

The SDK's create params are `TypedDict`s generated from Runway's OpenAPI spec, one variant per
model. A TypedDict alone checks nothing at run time and pydantic's `TypeAdapter` ignores unknown
keys, so each variant is rebuilt here as a pydantic model that forbids extra keys, takes the wire
names (the SDK's `PropertyInfo` aliases), requires the `Required` keys, coerces nothing
(strict) and reads `Iterable[...]` eagerly as a list. The emulator and the conformance tests
validate bodies with these, so a model that leaves the SDK fails our tests when the pin moves.

`AVAILABLE` is False when `runwayml` is not installed; callers then fall back to their own checks.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import re
import types
import typing
from typing import Any, Literal, Union

import typing_extensions
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

try:
    from runwayml._utils import PropertyInfo
    from runwayml.types import (
        character_performance_create_params,
        image_to_video_create_params,
        text_to_video_create_params,
        video_to_video_create_params,
        video_upscale_create_params,
    )
except ImportError:  # pragma: no cover - the dev dependencies install it
    AVAILABLE = False
    PARAMS: dict[str, Any] = {}
else:
    AVAILABLE = True
    PARAMS = {
        "image_to_video": image_to_video_create_params.ImageToVideoCreateParams,
        "text_to_video": text_to_video_create_params.TextToVideoCreateParams,
        "video_to_video": video_to_video_create_params.VideoToVideoCreateParams,
        "character_performance": (
            character_performance_create_params.CharacterPerformanceCreateParams
        ),
        "video_upscale": video_upscale_create_params.VideoUpscaleCreateParams,
    }

_STRICT = ConfigDict(extra="forbid", strict=True, protected_namespaces=())
_REQUIRED = {typing_extensions.Required, typing_extensions.NotRequired}
_SEQUENCES = {collections.abc.Iterable, collections.abc.Sequence, list, typing.List}  # noqa: UP006


def _strip(hint: Any) -> tuple[Any, str | None]:
    """(the bare type, its wire alias) of one TypedDict annotation."""
    alias = None
    while True:
        origin = typing_extensions.get_origin(hint)
        if origin in _REQUIRED:
            hint = typing_extensions.get_args(hint)[0]
        elif origin is typing_extensions.Annotated:
            for meta in hint.__metadata__:
                if isinstance(meta, PropertyInfo) and meta.alias:
                    alias = meta.alias
            hint = hint.__origin__
        else:
            return hint, alias


def _convert(hint: Any) -> Any:
    """The pydantic type that checks what `hint` promises, strictly."""
    hint, _ = _strip(hint)
    if typing_extensions.is_typeddict(hint):
        return strict_model(hint)
    origin = typing_extensions.get_origin(hint)
    args = typing_extensions.get_args(hint)
    if origin in (Union, types.UnionType):
        return Union[tuple(_convert(a) for a in args)]  # noqa: UP007
    if origin in _SEQUENCES:
        return list[_convert(args[0]) if args else Any]  # type: ignore[misc]
    if origin in (dict, collections.abc.Mapping, typing.Dict):  # noqa: UP006
        return dict[_convert(args[0]), _convert(args[1])] if args else dict  # type: ignore[misc]
    return hint


def _required(hint: Any, total: bool) -> bool:
    """Whether a key is required. Read from the annotation itself: the SDK's modules use
    `from __future__ import annotations`, which leaves `__required_keys__` empty."""
    while True:
        origin = typing_extensions.get_origin(hint)
        if origin is typing_extensions.Required:
            return True
        if origin is typing_extensions.NotRequired:
            return False
        if origin is not typing_extensions.Annotated:
            return total
        hint = hint.__origin__


@functools.cache
def strict_model(typed_dict: type) -> type[BaseModel]:
    """A pydantic model that accepts exactly what `typed_dict` types, under the wire names."""
    hints = typing_extensions.get_type_hints(typed_dict, include_extras=True)
    total = bool(getattr(typed_dict, "__total__", True))
    fields: dict[str, Any] = {}
    for i, (key, hint) in enumerate(hints.items()):
        _, alias = _strip(hint)
        default = ... if _required(hint, total) else None
        # Positional names: a wire name such as `model` or `json` may clash with BaseModel's.
        fields[f"f{i}"] = (_convert(hint), Field(default, alias=alias or key))
    _MODEL_NAMES.add(typed_dict.__name__)
    return create_model(typed_dict.__name__, __config__=_STRICT, **fields)


@functools.cache
def _model_names(typed_dict: type) -> tuple[str, ...]:
    hint, _ = _strip(typing_extensions.get_type_hints(typed_dict, include_extras=True)["model"])
    return tuple(typing_extensions.get_args(hint))


@functools.cache
def variants(endpoint: str) -> dict[str, type]:
    """Model name -> the SDK's TypedDict for a create body of that model at `endpoint`.

    Cached: resolving the SDK's type hints costs milliseconds, and the capacity benchmark's
    emulator answers 10,000 creates with it."""
    params = PARAMS[endpoint]
    members = typing_extensions.get_args(params) or (params,)
    return {name: td for td in members for name in _model_names(td)}


_CODES = {
    "extra_forbidden": "unrecognized_keys",
    "missing": "invalid_type",
    "literal_error": "invalid_value",
}
_SCALARS = {"str", "int", "float", "bool", "dict"}
_MODEL_NAMES: set[str] = set()  # the models strict_model built: union tags in error paths


def _is_tag(part: object) -> bool:
    """Whether a pydantic error location part names a union member rather than a field."""
    return isinstance(part, str) and (part in _SCALARS or part in _MODEL_NAMES or "[" in part)


def _message(err: Any) -> str:
    if err["type"] == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", ""))
        return "Invalid option: expected one of " + expected.replace(" or ", "|").replace(", ", "|")
    if err["type"] == "extra_forbidden":
        return f'Unrecognized key: "{err["loc"][-1]}"'
    return str(err["msg"])


def _zod(errors: list[Any]) -> list[dict[str, Any]]:
    """pydantic errors as Runway's zod issues. A union reports every member's mismatch; the
    members the value is not even shaped like are dropped when another member explains more."""
    found = []
    for err in errors:
        path = [p for p in err["loc"] if not _is_tag(p)]
        shape_only = bool(err["loc"]) and _is_tag(err["loc"][-1])
        found.append((path, shape_only, err))
    issues = []
    for path, shape_only, err in found:
        deeper = any(
            not other_shape and other[: len(path)] == path for other, other_shape, _ in found
        )
        if shape_only and deeper:
            continue
        issues.append(
            {"code": _CODES.get(err["type"], "custom"), "message": _message(err), "path": path}
        )
    return issues


def issues(
    endpoint: str, body: Any, *, disabled: collections.abc.Set[str] = frozenset()
) -> list[dict[str, Any]]:
    """Runway's zod-style issues ({code, message, path}) for `body`; empty when valid."""
    if not isinstance(body, dict):
        return [{"code": "invalid_type", "message": "Invalid input: expected object", "path": []}]
    models = {k: v for k, v in variants(endpoint).items() if k not in disabled}
    typed_dict = models.get(body["model"]) if isinstance(body.get("model"), str) else None
    if typed_dict is None:
        options = "|".join(f"'{m}'" for m in models)
        message = f"Invalid option: expected one of {options}"
        return [{"code": "invalid_value", "message": message, "path": ["model"]}]
    try:
        strict_model(typed_dict).model_validate(body)
    except ValidationError as exc:
        return _zod(exc.errors(include_url=False))
    return []


def allowed_values(endpoint: str, model: str, key: str) -> tuple[Any, ...] | None:
    """The values the SDK allows for wire field `key` of `model` at `endpoint`: a tuple of
    literals, () when the model has no such field, None when any value of its type goes."""
    hints = typing_extensions.get_type_hints(variants(endpoint)[model], include_extras=True)
    for name, hint in hints.items():
        bare, alias = _strip(hint)
        if (alias or name) == key:
            if typing_extensions.get_origin(bare) is Literal:
                return tuple(typing_extensions.get_args(bare))
            return None
    return ()


def wire_keys(endpoint: str, model: str) -> dict[str, bool]:
    """Wire field name -> whether it is required, for `model`'s create body at `endpoint`."""
    typed_dict = variants(endpoint)[model]
    hints = typing_extensions.get_type_hints(typed_dict, include_extras=True)
    total = bool(getattr(typed_dict, "__total__", True))
    return {(_strip(h)[1] or k): _required(h, total) for k, h in hints.items()}


def image_positions(model: str) -> tuple[str, ...]:
    """The `position` values `model`'s `promptImage` items take; () when untyped."""
    hints = typing_extensions.get_type_hints(variants("image_to_video")[model], include_extras=True)
    bare = _strip(hints["prompt_image"])[0]
    for member in typing_extensions.get_args(bare):
        item = typing_extensions.get_args(member)
        if item and typing_extensions.is_typeddict(item[0]):
            inner = typing_extensions.get_type_hints(item[0], include_extras=True)
            return tuple(typing_extensions.get_args(_strip(inner["position"])[0]))
    return ()


_RANGE = re.compile(r"(?:from|between) (\d+) (?:to|and) (\d+)")
_DURATION_DOC = re.compile(r'\n    duration: [^\n]*\n    """(.*?)"""', re.S)


@functools.cache
def documented_seconds(endpoint: str, model: str) -> tuple[int, ...] | None:
    """The whole seconds the SDK's docstring gives for `duration` where its type says only
    `int` ("Must be an integer from 2 to 10"); None when it gives no range."""
    source = inspect.getsource(variants(endpoint)[model])
    doc = _DURATION_DOC.search(source)
    found = _RANGE.search(" ".join(doc.group(1).split())) if doc else None
    return tuple(range(int(found[1]), int(found[2]) + 1)) if found else None


@functools.cache
def warm() -> None:
    """Read every model's documented durations now, not inside the first create: finding a
    class's source parses the SDK's module, which on a loaded machine held the emulator's
    loop long enough to turn a test's one create into two."""
    for endpoint in PARAMS:
        for model in variants(endpoint):
            documented_seconds(endpoint, model)
