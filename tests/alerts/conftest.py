"""Real receivers on 127.0.0.1 for alert tests: an SMTP server and an HTTP webhook.

aiosmtpd is not in the venv, so the SMTP server is a minimal one written here: it speaks enough of the
protocol for smtplib (what Django's SMTP backend uses): EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing,
RSET, NOOP, QUIT. Apprise's ``json://127.0.0.1:<port>/`` posts to the HTTP receiver.
"""

from __future__ import annotations

import email
import email.policy
import json
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Mailbox:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def subjects(self) -> list[str]:
        """As a mail client shows them (Django folds a non-ASCII subject onto a second line, which Python's
        parser reads back with the fold's leading space)."""
        return [str(m["Subject"]).strip() for m in self.messages]

    def bodies(self) -> list[str]:
        return [m.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
                for m in self.messages]


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        mailbox: Mailbox = self.server.mailbox  # type: ignore[attr-defined]
        self.reply("220 127.0.0.1 test SMTP")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 127.0.0.1")
            elif verb in {"MAIL", "RCPT", "RSET", "NOOP"}:
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                mailbox.messages.append(email.message_from_bytes(b"".join(lines), policy=email.policy.default))  # type: ignore[arg-type]
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


@pytest.fixture
def smtp_server(settings) -> Iterator[Mailbox]:
    """A mail server on 127.0.0.1, and the product's e-mail settings pointing at it (ANEMONE_EMAIL_*)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    mailbox = Mailbox(server.server_address[1])
    server.mailbox = mailbox  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # pytest-django sets locmem
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", mailbox.port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "anemone@nas.example.org"
    yield mailbox
    server.shutdown()
    server.server_close()


@dataclass
class Webhook:
    port: int
    posts: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/"


class _HookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.hook.headers.append(dict(self.headers))  # type: ignore[attr-defined]
        self.server.hook.posts.append({"path": self.path, **json.loads(body)})  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    """An HTTP server on 127.0.0.1 that keeps every JSON body posted to it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HookHandler)
    hook = Webhook(server.server_address[1])
    server.hook = hook  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook
    server.shutdown()
    server.server_close()
