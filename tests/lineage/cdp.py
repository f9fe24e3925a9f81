"""A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe`, for the map's
browser tests and bench/map.py: no driver, no Python dependency, no port.

Chromium reads NUL-terminated JSON commands from its fd 3 and writes replies and events to
its fd 4. One page target, attached with a flat session; `evaluate` awaits promises, so a
page can report "rendered" through a promise the test awaits.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe",
    # WebGL (sigma.js, in bench/map.py) has no GPU here: software rendering, opted in.
    "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
)  # fmt: skip


TIMEOUT = 120  # seconds without a word from Chromium before a test fails rather than hangs


class BrowserError(RuntimeError):
    """Chromium answered a command with an error, or went away."""


class Browser:
    """One headless Chromium with one page; use as a context manager."""

    def __init__(self, width: int = 1400, height: int = 900) -> None:
        assert CHROMIUM is not None, "chromium is not installed"
        self._profile = tempfile.TemporaryDirectory(prefix="nhi-cdp-")
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()

        def fds() -> None:  # in the child: our pipes become its fd 3 and fd 4
            # (copied out of the way first, in case either already is 3 or 4; dup2 makes
            # them inheritable, every other descriptor of ours is not: PEP 446)
            high = os.dup(to_child), os.dup(from_child)
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self._process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self._profile.name}",
             f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, close_fds=False,
        )  # fmt: skip
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.page("Page.enable")
        self.page("Runtime.enable")
        self.page("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)  # fmt: skip

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        os.close(self._write)
        os.close(self._read)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._profile.cleanup()

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.send(method, self._session, **params)

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if not select.select([self._read], [], [], TIMEOUT)[0]:
                raise BrowserError(f"chromium said nothing for {TIMEOUT} s")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise BrowserError("chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(raw))

    def open(self, url: str) -> None:
        """Load `url` afresh and wait for its load event (a URL that differs from the current
        one only in its fragment is loaded again, not scrolled to: about:blank comes between)."""
        for step in ("about:blank", url):
            self.events.clear()
            if "loaderId" not in self.page("Page.navigate", url=step):
                continue  # same document (about:blank again): there is no load to wait for
            while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
                self.events.append(self._message())

    def evaluate(self, expression: str) -> Any:
        """The expression's value (a promise is awaited); a thrown error is a BrowserError."""
        result = self.page("Runtime.evaluate", expression=expression, awaitPromise=True,
                           returnByValue=True, timeout=120_000)  # fmt: skip
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"{expression[:80]}: {text}")
        return result["result"].get("value")

    def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.page("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1)  # fmt: skip

    def screenshot(self, path: Path) -> None:
        data = self.page("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def pdf(self, path: Path) -> None:
        data = self.page("Page.printToPDF", printBackground=True)["data"]
        path.write_bytes(base64.b64decode(data))
