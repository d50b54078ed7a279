"""The survey page of a link click, answered beneath Flask when it is a page already rendered.

Every score button in every email opens GET /s/<token>?score=N: it is the commonest request, and mail
scanners repeat it. Through Flask it costs ~240 µs of Python in-process, of which the page itself (a
kept rendering, surveys.answering.views._answer_page) is a few; the rest is the request context, routing, seven
hooks and SQLAlchemy's execution (docs/benchmarks.md, "The survey page GET"). This WSGI layer answers
the common case — a genuine link of an open survey, not answered yet, whose page was rendered once in
this process — with the signature check, one read through the driver and the kept page.

Everything else goes to Flask untouched: a forged or unknown link, an answered or closed one, a first
rendering, any other query string, HEAD and every other path. So every decision but the common one has
one implementation, and the common one reuses the view's parts (the signed link, the page read, the
kept pages and their key, the response headers); tests/app/surveys/answering/test_shortcut.py holds both paths
to the same bytes for each kind, language, score and prefix.
"""
from __future__ import annotations

import re
import secrets
from typing import Callable, Iterable, NamedTuple

from sqlalchemy.engine import Engine

from feedback_app.core.brand import Brand
from feedback_app.core.links import LinkSigning
from feedback_app.core.numbers import whole_number
from surveys.answering.links import SignedInvitation, read_invitation
from surveys.scales.kinds import KINDS

# The page as rendered for a link, with this in place of the link's token. Random, so that no wording a
# team types can contain it; letters and digits only, so that escaping leaves it as it is.
TOKEN_SLOT = "token-slot-" + secrets.token_hex(12)
PAGES_KEPT = 512  # a few surveys × languages × clicked scores; a page is ~3 KB

# What the shortcut takes: the link's path and, at most, the email's score button. Tokens are the
# signer's "<id>.<survey>.<kind>.<locale>.<signature>" (URL-safe base64 and dots).
LINK_PATH = re.compile(r"/s/([A-Za-z0-9_.-]{1,200})")
CLICK_QUERY = re.compile(r"(?:score=([0-9]{1,2}))?")
# Where the shortcut leaves the page it read when Flask answers after all (a first rendering, an answered
# link): (invitation id, surveys.answering.services.AnswerPage). The view takes it instead of reading again. Only
# this process's code writes the WSGI environ's keys; a client's headers arrive as HTTP_… keys.
PAGE_READ = "feedback.answer_page"


class PageKey(NamedTuple):
    """What a kept page depends on besides the token: everything the template shows."""
    script_root: str
    survey_id: int
    kind: str
    locale: str
    question: str
    reason: str
    score: int | None
    may_contact: bool
    autosave: bool
    answered: bool
    brand: Brand  # read in the page's one statement: a page kept under an older brand is never served


class KeptPages:
    """Rendered answer pages with TOKEN_SLOT for the token, per process. Bounded: emptied when full."""

    def __init__(self, limit: int = PAGES_KEPT):
        self._pages: dict[PageKey, str] = {}
        self._limit = limit

    def get(self, key: PageKey) -> str | None:
        return self._pages.get(key)

    def keep(self, key: PageKey, html: str) -> None:
        if len(self._pages) >= self._limit:
            self._pages.clear()
        self._pages[key] = html


def clicked_score(kind_key: str, raw: str | None) -> int | None:
    kind = KINDS[kind_key]
    return whole_number(raw, kind.low, kind.high)


class LinkClickShortcut:
    """WSGI middleware in front of the Flask app (see the module's text)."""

    def __init__(self, wsgi_app: Callable, links: LinkSigning, pages: KeptPages, engine: Engine,
                 read_page: Callable, headers: list[tuple[str, str]]):
        self.wsgi_app, self._links, self._pages, self._engine = wsgi_app, links, pages, engine
        self._read_page = read_page  # surveys.answering.services.answer_page
        self._headers = headers      # what security.add_headers gives a respondent's 200

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        body = self._kept_answer(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        if body is None:
            return self.wsgi_app(environ, start_response)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                  ("Content-Length", str(len(body))), *self._headers])
        return [body]

    def _kept_answer(self, environ: dict) -> bytes | None:
        path, query = LINK_PATH.fullmatch(environ.get("PATH_INFO", "")), \
            CLICK_QUERY.fullmatch(environ.get("QUERY_STRING", ""))
        if path is None or query is None:
            return None
        token = path.group(1)
        signed = read_invitation(token, self._links)
        if signed is None:
            return None
        page = self._read_page(signed.id, self._engine)
        environ[PAGE_READ] = (signed.id, page)
        if page is None or page.closed or page.response is not None or not page.asks_in(signed.locale):
            return None
        html = self._pages.get(unanswered_page_key(environ.get("SCRIPT_NAME", "").rstrip("/"), signed, page,
                                                   clicked_score(signed.kind, query.group(1))))
        return html.replace(TOKEN_SLOT, token).encode() if html is not None else None


def page_read_before(environ: dict, invitation_id: int):
    """(True, the page) if the shortcut read this invitation's page for this request, else (False, None)."""
    handed = environ.get(PAGE_READ)
    return (True, handed[1]) if handed is not None and handed[0] == invitation_id else (False, None)


def page_key(script_root: str, signed: SignedInvitation, page, values: dict, autosave: bool,
             answered: bool) -> PageKey:
    wording = page.wording[signed.locale]
    return PageKey(script_root, page.survey_id, signed.kind, signed.locale, wording["question"],
                   wording["reason"], values["score"], values["may_contact"], autosave, answered, page.brand)


def unanswered_page_key(script_root: str, signed: SignedInvitation, page, clicked: int | None) -> PageKey:
    """The key of a page for a link not answered yet, as surveys.answering.views.survey_page builds its values."""
    return page_key(script_root, signed, page, {"score": clicked, "may_contact": False},
                    autosave=clicked is not None, answered=False)
