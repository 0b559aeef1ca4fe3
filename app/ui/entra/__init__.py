"""The Entra page (app/ui/entra/page.py) and how the main window builds it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QLabel

    from app.ui.entra.page import EntraPage
    from app.ui.main_window import MainWindow


def build_entra_page(window: MainWindow) -> EntraPage | QLabel:
    """The page for the main window's host: its connectors, port, the host's readable tokens, and
    "show the event log at that time" wired to the window's event viewer."""
    from app.entra.session import EntraSession
    from app.errors import UserError
    from app.ui.entra.page import EntraPage

    doc = window.document
    connectors = [c.name for c in doc.connectors] if doc is not None else []
    port = doc.setting.port.strip() if doc is not None and doc.root.find("Setting") is not None else ""
    try:
        session = EntraSession(window.host)
    except UserError as exc:  # an unreadable settings file: the page says so, the window works
        from PySide6.QtWidgets import QLabel

        label = QLabel(exc.sentence(), window.tabs)
        label.setWordWrap(True)
        return label

    def host_token(connector: str) -> str | None:
        from app.entra.credentials import host_token as read

        try:
            return read(window.host, connector)
        except UserError:
            return None

    page = EntraPage(session, connectors, port=port or "8585", host_token=host_token, parent=window.tabs)
    page.show_events_between = lambda first, last: show_events_between(window, first, last)
    window.documentChanged.connect(lambda: page.set_connectors(
        [c.name for c in window.document.connectors] if window.document is not None else []))
    page.statesChanged.connect(window.connector_actions.model.set_entra_states)
    if session.settings.sign_in.tenant and session.links():
        page._shown_once = True  # read now, not again when first shown
        page.refresh()  # the connector list's Entra column, read in the background
    return page


def after_certificate_change(window: MainWindow) -> Callable[[], str] | None:
    """For the certificate dialog's last step: a call that tests every linked connector from
    Entra and restarts it with QuarantineState; None when nothing is linked or nobody signed in."""
    from app.entra.session import EntraSession
    from app.errors import UserError

    try:
        session = EntraSession(window.host)
    except UserError:
        return None
    names = sorted(session.links())
    if not names or not session.settings.sign_in.tenant:
        return None

    def check() -> str:
        sentences = []
        for name in names:
            try:
                sentences.append(session.after_certificate_change(name))
            except UserError as exc:
                sentences.append(f"{name}: {exc.sentence()}")
        return " ".join(sentences)

    return check


def show_events_between(window: MainWindow, first: str, last: str) -> None:
    """The event viewer with a custom range around Graph's two UTC times (a minute either side)."""
    from datetime import UTC, datetime, timedelta

    from PySide6.QtCore import QDateTime

    from app.ui.events.viewer import TIME_CHOICES

    def parse(stamp: str) -> datetime | None:
        # Graph writes UTC with up to 7 fractional digits ("...24.7682084Z"): the second is enough
        try:
            return datetime.strptime(stamp.strip()[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            return None

    start, end = parse(first), parse(last) or parse(first)
    viewer = window.event_viewer
    if viewer is None or start is None or end is None:
        return
    viewer.time_combo.setCurrentIndex([c for _, c in TIME_CHOICES].index("custom"))
    viewer.since_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int((start - timedelta(minutes=1)).timestamp())))
    viewer.until_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int((end + timedelta(minutes=1)).timestamp())))
    viewer.apply_filters()
    window.show_area(viewer)
