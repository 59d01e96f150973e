"""The API's JSON renderer: DRF's output, byte for byte, encoded by orjson.

DRF's ``JSONRenderer`` spends most of a list's rendering time in the
standard library's encoder. This one hands the data to orjson and gives it
DRF's own encoder for everything orjson does not encode the same way:
dates, times and datetimes (``Z`` for UTC, offsets to the second),
``Decimal`` (a float, as DRF does), lazy strings, querysets and the rest.
A pretty-printed answer (``Accept: application/json; indent=4``) and
anything orjson refuses (an integer past 64 bits) go to DRF's renderer.
The one difference left is in floats, which no answer of this project
carries: orjson writes ``1.5e-07`` as ``1.5e-7`` and a NaN (which DRF
refuses) as ``null``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils import encoders

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
# DRF escapes these two so that its JSON is also a JavaScript literal; orjson does not.
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class JSONRenderer(renderers.JSONRenderer):
    """DRF's compact JSON (UTF-8, no spaces) rendered with orjson."""

    _default = staticmethod(encoders.JSONEncoder().default)

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if not self.compact or self.ensure_ascii:
            return super().render(data, accepted_media_type, renderer_context)
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=self._default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        for raw, escaped in _LINE_SEPARATORS:
            if raw in rendered:
                rendered = rendered.replace(raw, escaped)
        return rendered
