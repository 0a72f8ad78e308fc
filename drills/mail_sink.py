"""A tiny SMTP server on loopback that keeps what it receives, to count e-mails in the drills.

A message counts as sent once the sink has answered 250 to its DATA (as a real
mail server would). `delay` slows that answer, so a drill can kill a worker while
deliveries are in flight.
"""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str
    message_id: str


@dataclass
class MailBox:
    delay: float = 0.0
    mails: list[Mail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> list[Mail]:
        with self.lock:
            return list(self.mails)

    def clear(self) -> None:
        with self.lock:
            self.mails.clear()


class _Handler(socketserver.StreamRequestHandler):
    box: MailBox

    def _say(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        self._say("220 drills sink")
        recipients: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 drills")
            elif verb == "MAIL":
                recipients = []
                self._say("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 go on")
                raw = bytearray()
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk in (b".\r\n", b".\n"):
                        break
                    raw += chunk[1:] if chunk.startswith(b"..") else chunk
                if not chunk:
                    return  # the client went away mid-message: nothing was sent
                if self.box.delay:
                    time.sleep(self.box.delay)
                message = email.message_from_bytes(bytes(raw), policy=email.policy.default)
                body = message.get_body()
                text = body.get_content() if body is not None else ""
                subject = " ".join(str(message["Subject"]).split())
                mail = Mail(tuple(recipients), subject, text, str(message["Message-ID"] or ""))
                self._say("250 queued")
                with self.box.lock:
                    self.box.mails.append(mail)
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_sink(port: int, box: MailBox) -> _Server:
    handler = type("Handler", (_Handler,), {"box": box})
    server = _Server(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
