"""The embedded event-log viewer: filters, a lazy table, details with the known-error fix."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QDateTime, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.events.filters import EventFilter
from app.events.knowledge import connector_in
from app.events.records import NO_TIME, TICKS_PER_SECOND, EventTable, to_datetime
from app.events.sources.base import Batch, EventSource, open_source
from app.ui.background import Task
from app.ui.events.details import DetailsPane
from app.ui.events.loader import FollowJob, load_task
from app.ui.events.model import COLUMNS, EventTableModel

TIME_CHOICES = [("All time", None), ("Last hour", "hour"), ("Last day", "day"), ("Last week", "week"),
                ("Custom range…", "custom")]
TIME_CHOICES_RELATIVE = ("hour", "day", "week")
OF_THE_LOG = " of the log"  # a file's hour/day/week end at its newest event, a live log's at now


class EventViewer(QWidget):
    actionRequested = Signal(object)  # an Action (app.events.knowledge)
    loaded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source: EventSource | None = None
        self.model = EventTableModel(self)
        self.selected_attributes: dict[str, list[str]] = {}
        self._job: Task | None = None
        self._follow_job: FollowJob | None = None
        self._follow_timer = QTimer(self, interval=1500)
        self._filter_timer = QTimer(self, singleShot=True, interval=250)
        self._filter_timer.timeout.connect(self.apply_filters)
        self._build()

    # --- layout --------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.open_button = QPushButton("Open log…")
        self.live_button = QPushButton("Live log")
        self.follow_box = QCheckBox("Follow new events")
        self.copy_button = QPushButton("Copy rows")
        self.export_button = QPushButton("Export CSV…")
        self.imports_button = QPushButton("Import dumps…")
        self.source_label = QLabel("No log open.")
        self.source_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for w in (self.open_button, self.live_button, self.follow_box, self.copy_button,
                  self.export_button, self.imports_button):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(self.source_label, 1)
        outer.addLayout(bar)

        filters = QHBoxLayout()
        self.level_boxes: dict[int, QCheckBox] = {}
        for rank, text in ((2, "Errors"), (3, "Warnings"), (4, "Information"), (5, "Verbose")):
            box = QCheckBox(text)
            box.setChecked(True)
            box.toggled.connect(self.apply_filters)
            self.level_boxes[rank] = box
            filters.addWidget(box)
        self.provider_combo = QComboBox()
        self.provider_combo.addItems(["All providers", "ConnectorsLog", "ECMA2Host", "Other"])
        self.connector_combo = QComboBox(editable=True)
        self.connector_combo.addItem("All connectors")
        self.connector_combo.setMinimumContentsLength(14)
        self.search_edit = QLineEdit(placeholderText="Search messages…", clearButtonEnabled=True)
        self.search_edit.setMinimumWidth(200)
        self.regex_box = QCheckBox("Regex")
        self.time_combo = QComboBox()
        self.time_combo.addItems([t for t, _ in TIME_CHOICES])
        self.since_edit = QDateTimeEdit(calendarPopup=True, displayFormat="yyyy-MM-dd HH:mm")
        self.until_edit = QDateTimeEdit(calendarPopup=True, displayFormat="yyyy-MM-dd HH:mm")
        self.event_id_edit = QLineEdit(placeholderText="Event ID", clearButtonEnabled=True)
        self.event_id_edit.setMaximumWidth(110)
        for field in (self.provider_combo, self.connector_combo, self.search_edit, self.regex_box,
                      self.time_combo, self.since_edit, self.until_edit, self.event_id_edit):
            filters.addWidget(field)
        self.since_edit.hide()
        self.until_edit.hide()
        self._label_time_choices()
        named: list[tuple[QWidget, str]] = [
            (self.provider_combo, "Provider"), (self.connector_combo, "Connector"),
            (self.search_edit, "Search messages"), (self.time_combo, "Time range"),
            (self.since_edit, "From"), (self.until_edit, "Until"), (self.event_id_edit, "Event ID")]
        for widget, name in named:
            widget.setAccessibleName(name)  # placeholders vanish once typed in; names stay
        connector_edit = self.connector_combo.lineEdit()
        assert connector_edit is not None  # the combo is editable
        connector_edit.setAccessibleName("Connector")
        filters.setStretch(filters.indexOf(self.search_edit), 1)
        outer.addLayout(filters)

        self.view = QTableView()
        self.view.setAccessibleName("Events")
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)  # starts unsorted: the log's own order
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        for i, width in enumerate((112, 148, 120, 66, 66, 220)):
            header.resizeSection(i, width)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().currentRowChanged.connect(self._show_details)

        details = DetailsPane()
        details.actionRequested.connect(self.actionRequested)
        self.details = details
        # the parts tests and the main window reach for
        self.known_frame, self.known_label = details.known_frame, details.known_label
        self.known_button, self.message_view = details.known_button, details.message_view
        self.fields_view, self.xml_view = details.fields_view, details.xml_view

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(details)
        split.setSizes([430, 220])
        outer.addWidget(split, 1)

        status = QHBoxLayout()
        self.count_label = QLabel("")
        self.warning_label = QLabel("", wordWrap=True)
        self.warning_label.setStyleSheet("color: #8a5a00")
        self.progress = QProgressBar(textVisible=True)
        self.progress.setMaximumWidth(260)
        self.cancel_button = QPushButton("Cancel")
        self.progress.hide()
        self.cancel_button.hide()
        status.addWidget(self.count_label)
        status.addWidget(self.warning_label, 1)
        status.addWidget(self.progress)
        status.addWidget(self.cancel_button)
        outer.addLayout(status)

        self.open_button.clicked.connect(self._choose_file)
        self.live_button.clicked.connect(self.open_live)
        self.follow_box.toggled.connect(self.set_follow)
        self.copy_button.clicked.connect(self.copy_rows)
        self.export_button.clicked.connect(self._choose_export)
        self.imports_button.clicked.connect(self.show_imports)
        self.cancel_button.clicked.connect(self.cancel_load)
        self.provider_combo.currentIndexChanged.connect(self.apply_filters)
        self.connector_combo.currentTextChanged.connect(lambda _: self._filter_timer.start())
        self.search_edit.textChanged.connect(lambda _: self._filter_timer.start())
        self.regex_box.toggled.connect(self.apply_filters)
        self.time_combo.currentIndexChanged.connect(self._time_changed)
        self.since_edit.dateTimeChanged.connect(lambda _: self._filter_timer.start())
        self.until_edit.dateTimeChanged.connect(lambda _: self._filter_timer.start())
        self.event_id_edit.textChanged.connect(lambda _: self._filter_timer.start())

    # --- opening -------------------------------------------------------------------------------

    def open_source(self, path_or_source: str | Path | EventSource) -> bool:
        """Open a file (any kind open_source knows) or a ready source; loads in the background."""
        try:
            source = (path_or_source if isinstance(path_or_source, EventSource)
                      else open_source(path_or_source))
        except UserError as exc:
            self._tell(exc.sentence())
            return False
        self.cancel_load()
        self.set_follow(False)
        self.follow_box.setChecked(False)
        self.source = source
        self.source_label.setText(source.name)
        self.source_label.setToolTip(str(getattr(source, "path", source.name)))
        self.warning_label.setText("")
        self.model.set_table(EventTable())
        self._label_time_choices()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self._job = load_task(source, self)
        self._job.progress.connect(self._on_batch)
        self._job.finished.connect(self._on_finished)
        self._job.failed.connect(self._on_failed)
        self._job.start()
        return True

    def show_table(self, table: EventTable, name: str) -> None:
        """A table already in memory (screenshots, tests of a million rows)."""
        self.source = None
        self.source_label.setText(name)
        self.model.set_table(table)
        self._label_time_choices()
        self._fill_connectors()
        self._update_count()

    def open_live(self) -> None:
        from app.events.sources.windows import UnavailableLiveLog, live_source

        source = live_source()
        if isinstance(source, UnavailableLiveLog):
            self._tell(source.reason)
            return
        self.open_source(source)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open an event log", "",
                                              "Event logs (*.evtx *.xml *.zip);;All files (*)")
        if path:
            self.open_source(path)

    def _on_batch(self, batch: Batch) -> None:
        part, done, total = batch.table, batch.done, batch.total
        first = len(self.model.table) == 0
        self.model.append(part)
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
        if first and self.model.rowCount():
            self.view.selectRow(0)
        self._update_count(loading=True)

    def _on_finished(self, cancelled: bool) -> None:
        self._stop_thread()
        self.model.table.xml_reader = self.source.raw_xml if self.source else None
        if self.model.sort_column:
            self.model.set_filter(self.model.filter)
        report = self.source.report if self.source else None
        notes = list(report.warnings[:1]) if report else []
        if cancelled:
            notes.insert(0, "Loading cancelled: the rows read so far are shown.")
        self.warning_label.setText(" ".join(notes))
        self._label_time_choices()
        self._fill_connectors()
        self._update_count()
        self.loaded.emit()

    def _on_failed(self, sentence: str) -> None:
        self._stop_thread()
        self._tell(sentence)
        self._update_count()
        self.loaded.emit()

    def _stop_thread(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        if self._job is not None:
            job, self._job = self._job, None
            job.cancel()
            job.wait()
            job.progress.disconnect(self._on_batch)  # batches still queued are dropped
            job.deleteLater()

    def cancel_load(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def is_loading(self) -> bool:
        return self._job is not None

    def _tell(self, sentence: str) -> None:
        self.warning_label.setText(sentence)
        if self.isVisible() and not QApplication.platformName() == "offscreen":
            QMessageBox.warning(self, "Event log", sentence)

    # --- filters -------------------------------------------------------------------------------

    def current_filter(self) -> EventFilter:
        ranks = frozenset(r for r, box in self.level_boxes.items() if box.isChecked())
        if 2 in ranks:
            ranks |= {1}
        provider = self.provider_combo.currentText()
        providers = None if provider.startswith("All") else frozenset({provider.lower()
                                                                       if provider == "Other" else provider})
        connector = self.connector_combo.currentText().strip()
        connector = "" if connector.startswith("All connectors") else connector
        since: int | None = None
        until: int | None = None
        choice = TIME_CHOICES[self.time_combo.currentIndex()][1]
        if choice == "custom":
            since = self.since_edit.dateTime().toSecsSinceEpoch() * TICKS_PER_SECOND
            until = self.until_edit.dateTime().toSecsSinceEpoch() * TICKS_PER_SECOND
        elif choice:
            from app.events.filters import time_window

            since, until = time_window(choice, now=self._newest())
        ids = self.event_id_edit.text().replace(",", " ").split()
        event_ids = frozenset(int(i) for i in ids if i.isdigit()) or None
        return EventFilter(levels=ranks if len(ranks) < 5 else None, providers=providers,
                           connector=connector, text=self.search_edit.text(),
                           regex=self.regex_box.isChecked(), since=since, until=until,
                           event_ids=event_ids)

    def apply_filters(self) -> None:
        try:
            event_filter = self.current_filter()
        except UserError as exc:
            self.warning_label.setText(exc.sentence())
            return
        self.warning_label.setText("")
        self.model.set_filter(event_filter)
        self._update_count()
        if self.model.rowCount():
            self.view.selectRow(0)
        else:
            self._show_details(None)

    def _newest(self) -> datetime:
        times = [t for t in self.model.table.times[-1:] + self.model.table.times[:1] if t != NO_TIME]
        if getattr(self.source, "relative_to_now", False) or not times:
            return datetime.now(UTC)
        return to_datetime(max(times)) or datetime.now(UTC)

    def _label_time_choices(self) -> None:
        """Say plainly what "last hour" ends at: the log's newest event (files) or now (live log)."""
        live = getattr(self.source, "relative_to_now", False)
        for i, (text, key) in enumerate(TIME_CHOICES):
            if key in TIME_CHOICES_RELATIVE:
                self.time_combo.setItemText(i, text if live else text + OF_THE_LOG)
        if live:
            tip = "Last hour, day and week count back from now."
        else:
            newest = self._newest().astimezone().strftime("%Y-%m-%d %H:%M")
            tip = (f"Last hour, day and week of the log count back from its newest event ({newest}), "
                   "not from now: a log read days later still shows its last hour.")
        self.time_combo.setToolTip(tip)

    def _time_changed(self) -> None:
        custom = TIME_CHOICES[self.time_combo.currentIndex()][1] == "custom"
        self.since_edit.setVisible(custom)
        self.until_edit.setVisible(custom)
        if custom:
            newest = QDateTime.fromSecsSinceEpoch(int(self._newest().timestamp()) + 60)
            self.until_edit.setDateTime(newest)
            self.since_edit.setDateTime(newest.addDays(-1))
        self.apply_filters()

    def _fill_connectors(self) -> None:
        names = set(self.selected_attributes)
        messages = self.model.table.messages
        for message in messages[:20000] + messages[-5000:]:
            name = connector_in(message)
            if name:
                names.add(name)
        current = self.connector_combo.currentText()
        self.connector_combo.blockSignals(True)
        self.connector_combo.clear()
        self.connector_combo.addItem("All connectors")
        self.connector_combo.addItems(sorted(names, key=str.lower))
        self.connector_combo.setCurrentText(current)
        self.connector_combo.blockSignals(False)

    def _update_count(self, loading: bool = False) -> None:
        total, shown = len(self.model.table), len(self.model.rows)
        text = f"{shown:,} of {total:,} events" if shown != total else f"{total:,} events"
        self.count_label.setText(text + (" (loading…)" if loading else ""))

    # --- details -------------------------------------------------------------------------------

    def _show_details(self, current: QModelIndex | None, _previous: QModelIndex | None = None) -> None:
        if current is None or not current.isValid():
            self.details.clear()
            return
        row = self.model.row_of(current.row())
        record = self.model.table.record(row)
        self.details.show_record(record, self.model.filter.spans(record.message), self.model.diagnosis(row))

    # --- copy, export, follow, imports ---------------------------------------------------------

    def selected_rows(self) -> list[int]:
        picked = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.row_of(i) for i in picked]

    def copy_rows(self) -> str:
        from app.events.records import format_utc, level_name

        t = self.model.table
        lines = ["\t".join(("Time (UTC)", "Level", "Provider", "Event ID", "Record", "Message"))]
        for row in self.selected_rows():
            lines.append("\t".join((format_utc(t.times[row]), level_name(t.levels[row]),
                                    t.providers[row] or "", str(max(t.event_ids[row], 0)),
                                    str(t.record_ids[row]), t.messages[row].replace("\n", " ⏎ "))))
        text = "\n".join(lines)
        QApplication.clipboard().setText(text)
        return text

    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the filtered events", "events.csv",
                                              "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> int:
        """Write the filtered rows; through the store, so a file the user overwrites is whole."""
        import io

        from app.events.export import write
        from app.filestore import atomic_write

        text = io.StringIO(newline="")
        write(self.model.table, self.model.rows, "csv", text)
        atomic_write(path, text.getvalue().encode("utf-8-sig"))
        return len(self.model.rows)

    def set_follow(self, on: bool) -> None:
        self._follow_timer.stop()
        if self._follow_job is not None:
            job, self._follow_job = self._follow_job, None
            self._follow_timer.timeout.disconnect(job.poll)
            job.stop()
        if on and self.source is not None and self.source.can_follow:
            self._follow_job = FollowJob(self.source, self, self._on_new, self.warning_label.setText)
            self._follow_timer.timeout.connect(self._follow_job.poll)
            self._follow_timer.start()

    def _on_new(self, part: EventTable) -> None:
        self.model.append(part)
        self._update_count()

    def show_imports(self) -> None:
        from app.ui.events.dialogs import ImportDumpDialog

        dialog = ImportDumpDialog(self.model.table, self.model.rows, self.selected_attributes, self)
        dialog.show()

    def set_selected_attributes(self, by_connector: dict[str, list[str]]) -> None:
        """The configured schema per connector (the main window knows it; the log does not)."""
        self.selected_attributes = dict(by_connector)
        self._fill_connectors()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_load()
        self._stop_thread()
        self.set_follow(False)
        self.model.table.messages.close_search_helper()  # a later search starts a new one if needed
        super().closeEvent(event)

