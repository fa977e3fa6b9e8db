"""Compaction exactly as python-stdnum does it, and stdnum's Unicode -> ASCII character table.

Validity of a USCC or a resident ID is defined by stdnum *after* its compaction, so every checker
compacts with stdnum's own public functions. The bulk (Polars) twins need the character table
stdnum's ``clean`` applies; it is read through the public ``stdnum.util.clean`` (see
:func:`unicode_to_ascii_map`), never from stdnum's private module attributes.
"""

from __future__ import annotations

import functools
from typing import Final

from stdnum import util as stdnum_util
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

__all__ = ["MAP_SCAN_RANGES", "compact_plain", "compact_ric", "compact_uscc", "unicode_to_ascii_map"]


def compact_uscc(raw: str) -> str:
    """stdnum's USCC compaction: Unicode look-alikes to ASCII, spaces and hyphens removed, upper case."""
    return stdnum_uscc.compact(raw)


def compact_ric(raw: str) -> str:
    """stdnum's resident-ID compaction: Unicode look-alikes to ASCII, upper case, trimmed."""
    return stdnum_ric.compact(raw)


def compact_plain(raw: str, deletechars: str = "") -> str:
    """stdnum's generic compaction (``clean``, then upper case and trim), deleting ``deletechars``."""
    return stdnum_util.clean(raw, deletechars).upper().strip()


#: The code point ranges (start, stop) scanned for :func:`unicode_to_ascii_map`: the BMP without its
#: ideograph, Hangul, surrogate and private-use blocks, the first 4096 code points of plane 1 (ancient
#: scripts' word separators) and the block of mathematical digits. Every character stdnum maps lies
#: in them; a test scans all of Unicode to prove it for the installed stdnum.
MAP_SCAN_RANGES: Final = (
    (0x0000, 0x3400),
    (0xA000, 0xAC00),
    (0xF900, 0x10000),
    (0x10000, 0x11000),
    (0x1D000, 0x1E000),
)


@functools.cache
def _stdnum_map() -> dict[str, str]:
    chars = "".join(chr(cp) for start, stop in MAP_SCAN_RANGES for cp in range(start, stop))
    # clean() maps each character on its own to exactly one character (deletechars empty).
    cleaned = stdnum_util.clean(chars)
    return {a: b for a, b in zip(chars, cleaned, strict=True) if a != b}


@functools.cache
def unicode_to_ascii_map(deletechars: str) -> dict[str, str]:
    """Each character :func:`stdnum.util.clean` changes (or deletes) when deleting ``deletechars``,
    with its replacement (``""`` = deleted)."""
    mapping = {k: ("" if v in deletechars else v) for k, v in _stdnum_map().items()}
    mapping.update(dict.fromkeys(deletechars, ""))
    return {k: v for k, v in mapping.items() if k != v}
