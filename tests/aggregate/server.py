"""A small GitHub REST API on 127.0.0.1 for PyGithub to talk to: the endpoints the aggregator
uses, with Link pagination and rate-limit headers. It records every request it gets."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any = None


@dataclass
class State:
    base: str = ""
    repos: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # repo -> list
    archives: dict[int, bytes] = field(default_factory=dict)
    teams: dict[str, list[str]] = field(default_factory=dict)  # slug -> logins
    issues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    remaining: int = 4999
    reset: int = 2_000_000_000
    fail: set[str] = field(default_factory=set)  # repos whose artifact list answers 500
    team_status: dict[str, int] = field(default_factory=dict)  # team slug -> error status
    # Any other GET endpoint: path -> (list key or None, items), served two items a page with
    # Link headers; or path -> status for an error (the observed GitHub export, #26).
    pages: dict[str, tuple[str | None, list[Any]]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, data in files.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


class Handler(BaseHTTPRequestHandler):
    state: State

    def log_message(self, *_args: object) -> None:
        pass

    def _send(
        self,
        status: int,
        payload: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> None:
        data = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/zip" if raw else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-RateLimit-Limit", "5000")
        self.send_header("X-RateLimit-Remaining", str(self.state.remaining))
        self.send_header("X-RateLimit-Reset", str(self.state.reset))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> Request:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        request = Request(self.command, url.path, parse_qs(url.query), dict(self.headers), body)
        self.state.requests.append(request)
        return request

    def do_GET(self) -> None:
        self._route(self._record())

    def do_POST(self) -> None:
        self._route(self._record())

    def do_PATCH(self) -> None:
        self._route(self._record())

    def _route(self, r: Request) -> None:
        s, parts = self.state, r.path.strip("/").split("/")
        if r.path == "/orgs/acme":
            return self._send(200, {"login": "acme", "id": 1, "url": f"{s.base}/orgs/acme"})
        if r.path == "/orgs/acme/repos":
            page = int(r.query.get("page", ["1"])[0])
            size = 2
            chunk = s.repos[(page - 1) * size : page * size]
            links = {}
            if page * size < len(s.repos):
                links["Link"] = (
                    f'<{s.base}/orgs/acme/repos?type=all&per_page=100&page={page + 1}>; rel="next"'
                )
            return self._send(200, chunk, links)
        if parts[:1] == ["repos"] and parts[3:5] == ["actions", "artifacts"] and len(parts) == 5:
            name = f"{parts[1]}/{parts[2]}"
            if name in s.fail:
                return self._send(500, {"message": "Server Error"})
            found = [a for a in s.artifacts.get(name, []) if a["name"] == r.query["name"][0]]
            return self._send(200, {"total_count": len(found), "artifacts": found})
        if parts[:1] == ["repos"] and parts[-1] == "zip":
            location = f"{s.base}/blob/{parts[5]}.zip?sig=abc"
            return self._send(302, {}, {"Location": location})
        if parts[:1] == ["blob"]:
            return self._send(200, raw=s.archives[int(parts[1].split(".")[0])])
        if parts[:3] == ["orgs", "acme", "teams"] and len(parts) == 4:
            if parts[3] in s.team_status:
                return self._send(s.team_status[parts[3]], {"message": "Must have admin rights"})
            if parts[3] not in s.teams:
                return self._send(404, {"message": "Not Found"})
            return self._send(
                200,
                {"id": 7, "slug": parts[3], "name": parts[3], "url": f"{s.base}/teams/{parts[3]}"},
            )
        if parts[:1] == ["teams"] and parts[2:] == ["members"]:
            return self._send(200, [{"login": login, "id": 1} for login in s.teams[parts[1]]])
        if parts[:1] == ["repos"] and len(parts) == 3:
            found = [x for x in s.repos if x["full_name"] == f"{parts[1]}/{parts[2]}"]
            return self._send(200, found[0]) if found else self._send(404, {"message": "Not Found"})
        if parts[:1] == ["repos"] and parts[3:4] == ["issues"]:
            return self._issues(r, f"{parts[1]}/{parts[2]}", parts[4:])
        if r.path in s.errors:
            return self._send(s.errors[r.path], {"message": "Must have admin rights"})
        if r.path in s.pages:
            return self._page(r, *s.pages[r.path])
        return self._send(404, {"message": "Not Found"})

    def _page(self, r: Request, key: str | None, items: list[Any]) -> None:
        page = int(r.query.get("page", ["1"])[0])
        chunk = items[(page - 1) * 2 : page * 2]
        links = {}
        if page * 2 < len(items):
            links["Link"] = f'<{self.state.base}{r.path}?per_page=100&page={page + 1}>; rel="next"'
        payload = chunk if key is None else {"total_count": len(items), key: chunk}
        return self._send(200, payload, links)

    def _issues(self, r: Request, name: str, rest: list[str]) -> None:
        issues = self.state.issues.setdefault(name, [])
        if r.method == "GET":
            return self._send(200, [i for i in issues if i["state"] == "open"])
        if r.method == "POST":
            number = len(issues) + 1
            issue = {
                "number": number,
                "title": r.body["title"],
                "body": r.body.get("body"),
                "state": "open",
                "url": f"{self.state.base}/repos/{name}/issues/{number}",
            }
            issues.append(issue)
            return self._send(201, issue)
        issue = issues[int(rest[0]) - 1]
        issue.update(r.body)
        return self._send(200, issue)


@contextmanager
def github(state: State) -> Iterator[State]:
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.timeout = 5
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def repo(base: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": abs(hash(name)) % 10_000,
        "name": name,
        "full_name": f"acme/{name}",
        "archived": False,
        "fork": False,
        "url": f"{base}/repos/acme/{name}",
        "clone_url": f"https://github.example/acme/{name}.git",
        **extra,
    }
