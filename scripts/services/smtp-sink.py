#!/usr/bin/python3
"""SMTP sink for Tidings' tests: accepts every message and stores it as a file.

Run with Debian's /usr/bin/python3 (it has python3-aiosmtpd); `scripts/services/up`
starts it in the background and `scripts/services/down` stops it.

Every accepted message becomes `<dir>/<n>-<uuid>.eml`: the DATA bytes exactly as received,
with two headers prepended:

    X-Sink-Rcpt-To: <envelope recipients, comma-separated>
    X-Sink-Mail-From: <envelope sender>

Files are written to a dot-named temporary file, fsynced, then renamed, so a reader never
sees half a message. `<n>` is a zero-padded counter that keeps increasing across restarts.

AUTH PLAIN and LOGIN are offered (without TLS) and any credentials are accepted; AUTH is
never required. There is no TLS.

Per-recipient failures, for tests of retries: if the file `<control-dir>/<address>` exists
(address lower-cased), RCPT TO for that address is answered with the file's first line, for
example `451 4.3.0 Try again later` or `550 5.1.1 No such mailbox`. Delete the file and the
address is accepted again. Tests running in parallel do not affect each other this way.
"""

import argparse
import asyncio
import os
import signal
import sys
import uuid
import warnings

from aiosmtpd.smtp import SMTP, AuthResult


class Sink:
    """aiosmtpd handler that writes each message to its own file."""

    def __init__(self, directory, control_dir):
        self.directory = directory
        self.control_dir = control_dir
        self.counter = self._highest_counter()

    def _highest_counter(self):
        highest = 0
        for name in os.listdir(self.directory):
            head = name.split("-", 1)[0]
            if name.endswith(".eml") and head.isdigit():
                highest = max(highest, int(head))
        return highest

    def _control_reply(self, address):
        name = address.strip().lower()
        if not name or "/" in name or name.startswith("."):
            return None
        try:
            with open(os.path.join(self.control_dir, name), encoding="utf-8") as f:
                line = f.readline().strip()
        except FileNotFoundError:
            return None
        return line or "451 4.3.0 Temporary failure requested by the test"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self._control_reply(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.counter += 1
        name = "%08d-%s.eml" % (self.counter, uuid.uuid4())
        rcpts = ", ".join(envelope.rcpt_tos)
        sender = envelope.mail_from or ""
        head = ("X-Sink-Rcpt-To: %s\r\nX-Sink-Mail-From: %s\r\n" % (rcpts, sender)).encode(
            "utf-8", "surrogateescape"
        )
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        tmp = os.path.join(self.directory, ".tmp-" + name)
        with open(tmp, "wb") as f:
            f.write(head)
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.directory, name))
        print("stored %s for %s" % (name, rcpts), flush=True)
        return "250 Message accepted for delivery"


def accept_any_credentials(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True)


def write_pid_file(path):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("%d\n" % os.getpid())
    os.rename(tmp, path)


async def serve(args):
    os.makedirs(args.dir, exist_ok=True)
    os.makedirs(args.control_dir, exist_ok=True)
    handler = Sink(args.dir, args.control_dir)
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(
            handler,
            hostname="tidings-smtp-sink",
            enable_SMTPUTF8=True,
            auth_required=False,
            auth_require_tls=False,
            authenticator=accept_any_credentials,
        )

    server = await loop.create_server(factory, host=args.host, port=args.port)
    if args.pid_file:
        write_pid_file(args.pid_file)
    print("listening on %s:%d, storing in %s" % (args.host, args.port, args.dir), flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()
    if args.pid_file:
        try:
            os.remove(args.pid_file)
        except FileNotFoundError:
            pass
    print("stopped", flush=True)


def main():
    # aiosmtpd 1.4 warns on every AUTH that it fills a deprecated session field itself.
    warnings.filterwarnings("ignore", message="Session.login_data is deprecated")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=10025)
    parser.add_argument("--dir", required=True, help="where messages are stored")
    parser.add_argument("--control-dir", required=True, help="per-recipient reply files")
    parser.add_argument("--pid-file", help="written once the port is listening")
    args = parser.parse_args()
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
