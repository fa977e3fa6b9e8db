"""The tabs of a credit file (信用档案), as national credit sites show them: one line per tab.

A tab names the catalog categories whose records it holds. The last tab (``categories=None``) holds every
record no other tab claims, so a record of a category without a tab of its own is never left out. To add a
tab (红黑名单, 信用承诺, 信用评价 …), add one line above the catch-all; its categories leave the catch-all
by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinyong.catalog.schema import Category
from xinyong.kit.errors import InvalidInput


@dataclass(frozen=True)
class Tab:
    #: The value of ``?tab=`` (stable English).
    key: str
    #: What the tab is called on the page.
    label: str
    #: The catalog categories it holds; None: every category that no other tab holds.
    categories: frozenset[str] | None


TABS: tuple[Tab, ...] = (
    Tab("basic", "基础信息", frozenset({Category.REGISTRATION.value})),
    Tab("licence", "行政许可", frozenset({Category.LICENCE.value})),
    Tab("penalty", "行政处罚", frozenset({Category.PENALTY.value})),
    Tab("lists", "红黑名单", frozenset({Category.SERIOUS_DISHONESTY.value, Category.HONOUR.value})),
    # Tab("commitment", "信用承诺", frozenset({Category.COMMITMENT.value})),
    # Tab("evaluation", "信用评价", frozenset({Category.EVALUATION.value})),
    Tab("other", "其他信息", None),
)
TAB_KEYS = tuple(tab.key for tab in TABS)
#: Categories a tab names: the catch-all holds the rest.
CLAIMED: frozenset[str] = frozenset().union(*(tab.categories for tab in TABS if tab.categories is not None))


class UnknownTab(InvalidInput):
    code = "FILE_TAB_UNKNOWN"


def tab_by_key(key: str) -> Tab:
    """The tab called ``key``; ``UnknownTab`` (422) for any other value."""
    for tab in TABS:
        if tab.key == key:
            return tab
    raise UnknownTab(
        f"没有这个信用档案栏目：{key}（可选：{'、'.join(TAB_KEYS)}）", details={"tabs": list(TAB_KEYS)}
    )


def tab_of_category(category: str) -> Tab:
    """The tab that shows records of ``category``."""
    for tab in TABS:
        if tab.categories is None or category in tab.categories:
            return tab
    raise AssertionError("the last tab holds every category")  # pragma: no cover - TABS ends with None
