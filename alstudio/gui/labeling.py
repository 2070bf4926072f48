"""The labeling loop: show an item, time it, record the decision, move on.

It ties the viewer, the image prefetcher, the label and queue panels and the active-time
clock to the session, and owns the labeling commands: one QAction per class (its key) and
the fixed ones (skip, unsure, undo, adjudicate, next, previous), each connected straight to
a method here, which records the decision on the headless
:class:`~alstudio.project.session.LabelingSession`. After each decision it advances to the
next item this annotator has not decided on, and asks the prefetcher for the few after it,
so the next scan is already decoded when the key is hit.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from alstudio.datasets.item_source import source_for
from alstudio.datasets.records import ScanSource
from alstudio.errors import AlstudioError, ScanReadError
from alstudio.gui.actions import Actions, class_actions
from alstudio.gui.active_time import ActiveTimer
from alstudio.gui.dialogs.adjudicate_dialog import AdjudicateDialog
from alstudio.gui.panels.label_panel import LabelPanel
from alstudio.gui.panels.queue_panel import QueuePanel
from alstudio.gui.session import ProjectSession
from alstudio.gui.viewer import ImagePrefetcher, ScanViewer
from alstudio.gui.viewer.overlay import format_size

log = logging.getLogger(__name__)

LOOK_AHEAD = 4


class LabelingController(QObject):
    """``item_shown(item_id)`` fires when an item's scan is on screen (benchmarks, tests);
    ``message(text)`` carries short notes for the status bar; ``class_actions_changed(list)``
    hands the open project's class actions to the menus."""

    item_shown = Signal(int)
    message = Signal(str)
    class_actions_changed = Signal(list)

    def __init__(self, viewer: ScanViewer, prefetcher: ImagePrefetcher, label_panel: LabelPanel,
                 queue_panel: QueuePanel, timer: ActiveTimer, blind: bool,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.viewer = viewer
        self.prefetcher = prefetcher
        self.panel = label_panel
        self.queue = queue_panel
        self.timer = timer
        self.blind = blind
        self.session: ProjectSession | None = None
        self.current: int | None = None
        self._displayed: int | None = None
        self._host: QWidget | None = None
        self.class_actions: list[QAction] = []
        prefetcher.ready.connect(self._decoded)
        prefetcher.failed.connect(self._decode_failed)
        queue_panel.item_chosen.connect(self.show)

    def connect_actions(self, actions: Actions, host: QWidget) -> None:
        """Take the labeling commands; class actions (made per project) go on ``host``."""
        self._host = host
        actions.skip.triggered.connect(lambda: self.give("skip"))
        actions.unsure.triggered.connect(lambda: self.give("unsure"))
        actions.undo.triggered.connect(self.undo)
        actions.adjudicate.triggered.connect(lambda: self.adjudicate())
        actions.next_item.triggered.connect(lambda: self.step(1))
        actions.previous_item.triggered.connect(lambda: self.step(-1))
        actions.next_unlabeled.triggered.connect(self.next_unlabeled)

    def _set_class_actions(self, session: ProjectSession | None) -> None:
        """One action per class of ``session`` (none without one), each giving its class."""
        for action in self.class_actions:
            if self._host is not None:
                self._host.removeAction(action)
            action.deleteLater()
        classes = session.classes if session is not None else []
        self.class_actions = (class_actions(self._host, classes, self.give)
                              if self._host is not None and classes else [])
        if self._host is not None:
            self._host.addActions(self.class_actions)
        self.panel.set_classes(classes, self.class_actions)
        self.class_actions_changed.emit(self.class_actions)

    # -- session ----------------------------------------------------------------------------
    def set_session(self, session: ProjectSession | None) -> None:
        self._set_class_actions(session)
        self.session = session
        self.current = self._displayed = None
        self.prefetcher.clear()
        self.viewer.clear()
        self.timer.stop()
        self.panel.show_item("No item", "")
        self.panel.show_status(None, None)
        self.panel.prediction.show_none()
        if session is not None:
            session.queue_changed.connect(self._queue_changed)
            first = session.next_unlabeled(None)
            if first is None and session.queue_length():
                first = session.queue_ids()[0]
            if first is not None:
                self.show(first)
            else:
                self.panel.show_item("Nothing to label", "Import scans (Ctrl+I) to begin.")

    # -- showing ----------------------------------------------------------------------------
    def show(self, item_id: int) -> None:
        session = self.session
        if session is None:
            return
        if not session.has_item(item_id):
            self.message.emit(f"There is no item {item_id} in this project.")
            return
        self.current = item_id
        self._displayed = None
        self.timer.restart()
        self._describe()
        self.queue.show_current(item_id)
        sources = self._sources([item_id, *self._ahead_of(item_id)])
        if not sources or sources[0][0] != item_id:
            self.viewer.clear()
            return
        if self.prefetcher.get(item_id) is not None:
            # paint the scan first, then start decoding ahead: a decoding thread competes
            # for the interpreter lock and would otherwise delay this very paint
            self._display(item_id)
            self.viewer.repaint()
        else:
            self.viewer.clear()
        self.prefetcher.request(sources)

    def _ahead_of(self, item_id: int) -> list[int]:
        ids = self.queue.visible_ids() or (self.session.queue_ids() if self.session else [])
        if item_id not in ids:
            return ids[:LOOK_AHEAD]
        at = ids.index(item_id)
        return ids[at + 1:at + 1 + LOOK_AHEAD]

    def _sources(self, ids: list[int]) -> list[tuple[int, ScanSource]]:
        result = []
        for item_id in ids:
            try:
                assert self.session is not None
                result.append((item_id, source_for(self.session.item(item_id))))
            except ScanReadError as exc:
                if item_id == self.current:
                    self.panel.show_item(f"Item {item_id}", f"Cannot show this scan: "
                                         f"{exc.reason}. You can still skip it (S).")
        return result

    def _display(self, item_id: int) -> None:
        image = self.prefetcher.get(item_id)
        if image is None or item_id != self.current:
            return
        self.viewer.set_image(image, self._overlay())
        self._displayed = item_id
        self.item_shown.emit(item_id)

    def _decoded(self, item_id: int) -> None:
        if item_id == self.current and self._displayed != item_id:
            self._display(item_id)

    def _decode_failed(self, item_id: int, reason: str) -> None:
        if item_id == self.current:
            self.panel.show_item(f"Item {item_id}", f"Cannot show this scan: {reason}. "
                                 "You can still skip it (S).")
            log.warning("item %d cannot be shown: %s", item_id, reason)

    # -- the describing text ----------------------------------------------------------------
    def revealed(self) -> bool:
        """Whether the model's prediction may be shown for the current item."""
        session = self.session
        if session is None or self.current is None:
            return False
        return not self.blind or session.status(self.current) is not None

    def _describe(self) -> None:
        session, item_id = self.session, self.current
        if session is None or item_id is None:
            return
        item = session.item(item_id)
        entry = session.entry(item_id)
        where = (f"#{session.position(item_id)} of {session.queue_length()} in the queue"
                 if entry is not None
                 else "not in the current queue")
        # columns × rows (× slices), as the overlay says it; a trailing 3 is colour
        shape = format_size(item.shape, is_rgb=len(item.shape) >= 3 and item.shape[-1] == 3)
        detail = f"{item.modality or 'scan'} · {shape} · {item.split} · {where}"
        # which series, and which of several volumes at the same positions (echo, b-value...)
        about = [str(item.metadata[key]) for key in ("SeriesDescription", "volume")
                 if item.metadata.get(key)]
        if about:
            detail += "\n" + " · ".join(about)
        if entry is not None and entry.reason:
            detail += f"\nWhy queued: {entry.reason}"
        self.panel.show_item(f"Item {item_id}", detail, str(item.metadata.get("warnings") or ""))
        status = session.status(item_id)
        colours = {c.name: c.colour for c in session.classes}
        self.panel.show_status(status, colours.get(status or ""))
        self.panel.show_read_note(session.read_note(item_id))
        state = session.label_state(item_id)
        if session.can_adjudicate and state is not None and state.disagreement:
            self.panel.status.setText("Readers disagree: press a class key or A to settle it."
                                      if state.source != "adjudicated" else
                                      "Settled. A class key or A settles it again.")
        readings = session.readings(item_id) if session.may_see_readings(item_id) else []
        if len(readings) > 1 or (readings and session.can_adjudicate):
            self.panel.readings.show_readings(readings, state, colours, session.can_adjudicate)
        else:
            self.panel.readings.hide()
        probs = session.probabilities(item_id)
        if probs is None:
            self.panel.prediction.show_none(
                "No model prediction yet: run a round first (Ctrl+R)." if session.round is None
                else "No model prediction for this item in the current round.")
        elif self.revealed():
            self.panel.prediction.show_probabilities(probs)
        else:
            self.panel.prediction.show_hidden()

    def _overlay(self) -> dict[str, object]:
        """Few lines over the scan: which item, where in the queue, and (once revealed) the
        label and the model's call. Round, score and split live in the panels."""
        session, item_id = self.session, self.current
        if session is None or item_id is None:
            return {}
        overlay: dict[str, object] = {"item": item_id}
        if session.item(item_id).split != "pool":
            overlay["split"] = session.item(item_id).split
        position = session.position(item_id)
        if position is not None:
            overlay["rank"] = f"{position}/{session.queue_length()}"
        status = session.status(item_id)
        if status:
            overlay["label"] = status
        probs = session.probabilities(item_id)
        if probs and self.revealed():
            best, p = max(probs, key=lambda pair: pair[1])
            overlay["prediction"] = best.name
            overlay["confidence"] = f"{p * 100:.0f}%"
        return overlay

    def refresh(self) -> None:
        """Re-describe the current item (after a label, an undo, a new round, blind toggle)."""
        if self.current is not None:
            self._describe()
            if self._displayed == self.current:
                self.viewer.set_overlay(self._overlay())

    def set_blind(self, blind: bool) -> None:
        self.blind = blind
        self.refresh()

    # -- deciding ---------------------------------------------------------------------------
    def give(self, choice: str) -> None:
        """Record a class name, 'skip' or 'unsure' for the item on screen, then advance."""
        session, item_id = self.session, self.current
        if session is None or item_id is None:
            return
        if self._needs_adjudication(choice):
            self.adjudicate(choice)
            return
        try:
            session.core.give(item_id, session.annotator, choice, self.timer.seconds(),
                              self.panel.note.text(), started_at=self.timer.started_at)
        except AlstudioError as exc:
            self.message.emit(str(exc))
            return
        self.panel.note.clear()
        following = session.next_unlabeled(item_id)
        if following is None:
            self.refresh()
            self.timer.stop()
            self.message.emit("Every queued item has your decision. Run a round (Ctrl+R) "
                              "for the next batch.")
            return
        self.show(following)

    def _needs_adjudication(self, choice: str) -> bool:
        """A class from an adjudicator on an open disagreement settles it: ask the reason."""
        session, item_id = self.session, self.current
        if session is None or item_id is None or not session.can_adjudicate \
                or choice in ("skip", "unsure"):
            return False
        state = session.label_state(item_id)
        return state is not None and state.disagreement

    def adjudicate(self, chosen: str | None = None) -> None:
        """Settle the item on screen: final class and reason in a dialog, then go on to the
        next open disagreement of the list on show (or stay, when none is left)."""
        session, item_id = self.session, self.current
        if session is None or item_id is None:
            return
        if not session.can_adjudicate:
            self.message.emit(f"{session.annotator} is a reader: only an adjudicator settles "
                              "disagreements.")
            return
        answer = AdjudicateDialog.ask(self.panel, item_id, session.classes,
                                      session.readings(item_id), session.label_state(item_id),
                                      chosen)
        if answer is None:
            return
        choice, reason = answer
        try:
            session.core.give(item_id, session.annotator, choice, self.timer.seconds(),
                              self.panel.note.text(), reason=reason,
                              started_at=self.timer.started_at)
        except AlstudioError as exc:
            self.message.emit(str(exc))
            return
        self.panel.note.clear()
        self.message.emit(f"Item {item_id} settled: {choice} ({reason}).")
        following = next((i for i in self.queue.visible_ids() if i != item_id
                          and (s := session.label_state(i)) is not None
                          and s.disagreement and s.source != "adjudicated"), None)
        if following is None:
            self.refresh()
        else:
            self.show(following)

    def undo(self) -> None:
        session = self.session
        if session is None:
            return
        event = session.core.undo()
        if event is None:
            self.message.emit("Nothing to undo.")
            return
        self.message.emit(f"Retracted '{event.class_name or event.decision}' on item "
                          f"{event.item_id}.")
        self.show(event.item_id)

    def step(self, delta: int) -> None:
        """Next (+1) or previous (-1) item in the queue as the panel's filter shows it."""
        ids = self.queue.visible_ids()
        if not ids:
            return
        if self.current not in ids:
            self.show(ids[0] if delta > 0 else ids[-1])
            return
        at = ids.index(self.current) + delta
        if 0 <= at < len(ids):
            self.show(ids[at])

    def next_unlabeled(self) -> None:
        if self.session is not None:
            following = self.session.next_unlabeled(self.current)
            if following is not None:
                self.show(following)
            else:
                self.message.emit("No queued item is left without your decision.")

    def _queue_changed(self) -> None:
        if self.current is None and self.session is not None:
            following = self.session.next_unlabeled(None)
            if following is not None:
                self.show(following)
                return
        self.refresh()
