"""Tabs whose page is built when first shown (or when asked for), so the first screen paints
without them. Each page sits in a scroll area: a tall page (at 200 %) scrolls instead of
squeezing the Problems panel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QScrollArea, QTabWidget, QWidget


class LazyTabs:
    def __init__(self, tabs: QTabWidget) -> None:
        self.tabs = tabs
        self._pending: dict[QScrollArea, Callable[[], QWidget]] = {}
        tabs.currentChanged.connect(lambda index: self.page(tabs.widget(index)))

    def add(self, title: str, build: Callable[[], QWidget]) -> QScrollArea:
        scroller = QScrollArea(self.tabs)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        self._pending[scroller] = build
        self.tabs.addTab(scroller, title)
        return scroller

    def page(self, tab: QWidget | None) -> QWidget | None:
        """The area inside a tab, built now if it was not yet."""
        if not isinstance(tab, QScrollArea):
            return None
        build = self._pending.pop(tab, None)
        if build is not None:
            tab.setWidget(build())
        return tab.widget()

    def build_all(self) -> None:
        for tab in list(self._pending):
            self.page(tab)
