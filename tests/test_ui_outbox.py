"""The outbox panel of the notebooks: what was queued, sending it, what was sent; no address."""

from __future__ import annotations

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from notify_fixtures import make_freelancer, make_mission

from fmstoolkit import config
from fmstoolkit.actions import messages
from fmstoolkit.ui.outbox import OutboxPanel


class Recorder(Sink):
    def __init__(self) -> None:
        self.received: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


def test_the_panel_shows_queued_then_sent_messages(db, free_port, monkeypatch):
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port)
    controller.start()
    try:
        monkeypatch.setenv("FMS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("FMS_SMTP_PORT", str(free_port))
        config.reload_settings()
        fid = make_freelancer(db, "Alice Martin", email="alice@example.org")
        messages.enqueue_feedback_request(db, make_mission(db, fid))
        panel = OutboxPanel(db)
        assert "Alice Martin" in panel.table.value and "Waiting" in panel.table.value
        assert "Feedback request" in panel.table.value
        assert "pending" not in panel.table.value and "feedback_request" not in panel.table.value
        panel.send_button.click()
        assert "1 sent" in panel.message.value
        assert "Sent 1" in panel.table.value
        assert len(handler.received) == 1
        assert "alice@example.org" not in panel.table.value + panel.message.value
    finally:
        controller.stop()


def test_an_empty_outbox_says_so(db):
    assert "No message queued." in OutboxPanel(db).table.value
