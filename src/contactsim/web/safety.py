"""What keeps the page safe on a police network: who may reach it, and which files it touches.

- **Bound to loopback by default.** Any other address needs a token: requests must carry it
  (``?token=`` once, then a cookie; or the ``X-Contactsim-Token`` header), else 403. The token
  is printed when the server starts.
- **Loopback means loopback.** On a loopback address a request must name a loopback host
  (``localhost``, ``127.0.0.1``, ``[::1]``), which stops another web site from reaching the
  page through a DNS name it points at this machine.
- **No cross-site posts.** Every ``POST`` must be JSON (a form on another site cannot send
  that without the browser asking first), and its ``Origin``, when given, must be the page's.
- **Files.** A base scenario is named relative to the scenarios folder and must lie inside it;
  saved what-ifs go there too (never over a file the page did not write: see
  :mod:`contactsim.web.whatif_files`). Nothing else is read or written by a request.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from contactsim.errors import ContactsimError

TOKEN_COOKIE = "contactsim_token"
TOKEN_HEADER = "x-contactsim-token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
SCENARIO_SUFFIXES = (".yaml", ".yml")


class Forbidden(ContactsimError):
    """A request for something the page may not touch (answered 403)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is this machine only."""
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """A token for a server bound beyond loopback."""
    return secrets.token_urlsafe(24)


def refusal(request: Request, token: str | None, loopback_only: bool) -> Response | None:
    """The response refusing ``request``, or None to let it through."""
    if loopback_only and not is_loopback(request.url.hostname or ""):
        return JSONResponse(
            {"error": "this page answers only on localhost / 127.0.0.1"}, status_code=403)
    if token is not None:
        given = (request.query_params.get("token") or request.headers.get(TOKEN_HEADER)
                 or request.cookies.get(TOKEN_COOKIE) or "")
        if not secrets.compare_digest(given.encode(), token.encode()):
            return JSONResponse(
                {"error": "this page needs the token printed when `contactsim serve` started "
                          "(open the address it printed, with ?token=...)"}, status_code=403)
        if request.method == "GET" and "token" in request.query_params:
            # keep it in a cookie and take it out of the address bar and the history
            clean = URL(str(request.url)).remove_query_params("token")
            response = RedirectResponse(str(clean), status_code=303)
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            return response
    if request.method == "POST":
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return JSONResponse({"error": "posts to this page must be JSON"}, status_code=415)
        origin = request.headers.get("origin")
        if origin not in (None, "null") and urlsplit(origin).netloc != request.headers.get(
                "host", ""):
            return JSONResponse({"error": "a post from another site is refused"},
                                status_code=403)
    return None


def scenario_in(folder: Path, name: str) -> Path:
    """The scenario file ``name`` (relative to ``folder``), checked to lie inside ``folder``;
    :class:`Forbidden` if it does not, :class:`ContactsimError` if it is not there."""
    if not name or Path(name).is_absolute() or "\x00" in name:
        raise Forbidden(f"{name!r}: give a scenario file of the scenarios folder by its name")
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise Forbidden(f"{name!r} is outside the scenarios folder {folder}; the page reads "
                        "only scenarios inside it")
    if path.suffix not in SCENARIO_SUFFIXES:
        raise Forbidden(f"{name!r} is not a scenario file (.yaml or .yml)")
    if not path.is_file():
        raise ContactsimError(f"{name!r}: no such scenario in {folder}")
    return path
