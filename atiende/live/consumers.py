"""The console's WebSocket (``/ws/console/``): live events, presence and notifications.

Protocol, JSON both ways. The browser (``web/static/web/live.js``) sends::

    {"watch_case": "<folio>"}                       follow a case shown on the page
    {"unwatch_case": "<folio>"}
    {"typing": "<folio>", "mode": "reply"|"note"}  composing (repeated while typing)
    {"typing": "<folio>", "mode": "stopped"}       done (also sent for it on disconnect)
    {"ping": 1}                                     keep-alive; re-checks permissions, renews groups

and receives ``hello`` (its user id), ``watching``/``error`` (the answer to watch_case; ``error``
also comes unasked when a followed case left the user's sight and the socket stopped following it),
``pong`` (the answer to ping),
``event`` (kind, case folio, team and assignee ids, ``text``), ``presence`` (folio, user, user_id,
mode, ``text``) and ``notification`` (title, url, unread, ``text``), texts in the user's language.

Only signed-in, active users connect (otherwise the socket is accepted and closed with 4401).
Which cases a socket may follow is decided by ``cases_visible_to``, the console's permission filter.
Permissions are re-checked on every ping (the browser pings every 45 s), not per delivered event:
a user deactivated or deleted since is closed with 4401; groups of teams the user left and cases
no longer visible are left. Delivering an event only re-checks a followed case after the events
that may take it out of sight (``RECHECK_VERBS``), one query.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Mapping
from typing import Any, cast

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from atiende.accounts.models import User
from atiende.cases.models import Case, Verb
from atiende.cases.selectors import case_for_folio, cases_visible_to
from atiende.live import groups, layers

logger = logging.getLogger(__name__)

#: Close code for a socket without a signed-in user (like HTTP 401).
CLOSE_UNAUTHENTICATED = 4401
#: At most this many cases followed by one socket (a page shows one case, a board a few).
MAX_WATCHED = 100
TYPING_MODES = ("reply", "note", "stopped")
#: A socket's typing notices for one case are broadcast at most once in this many seconds.
TYPING_EVERY = 2.0
#: Events after which a followed case may have left the user's sight: permission is re-checked.
RECHECK_VERBS = frozenset({Verb.TEAM_CHANGED, Verb.ASSIGNED, Verb.MERGED, Verb.CUSTOMER_CHANGED})


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    user: User
    language: str

    async def connect(self) -> None:
        user = cast(User | None, self.scope.get("user"))
        self.joined: set[str] = set()
        self.watched: dict[str, int] = {}  # folio -> case id
        self.typing: dict[str, str] = {}  # folio -> mode
        self.typed_at: dict[str, float] = {}  # folio -> when its last notice was broadcast
        self.seen_events: deque[int] = deque(maxlen=200)
        self.joined_at = time.monotonic()
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.language = socket_language(cast(Mapping[str, Any], self.scope), user)
        await self._join(await self._home_groups())
        await self.send_json({"type": "hello", "user_id": user.pk})

    async def disconnect(self, code: int) -> None:
        for folio in list(getattr(self, "typing", {})):
            await self._presence(folio, "stopped")
        await self._leave(set(getattr(self, "joined", ())))

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        if "watch_case" in content:
            await self._watch(str(content["watch_case"]))
        elif "unwatch_case" in content:
            await self._unwatch(str(content["unwatch_case"]))
        elif "typing" in content:
            mode = content.get("mode", "reply")
            if mode in TYPING_MODES:
                await self._typing(str(content["typing"]), mode)
        elif "ping" in content:
            if await self._recheck():
                await self.send_json({"type": "pong"})

    # --- from the channel layer --------------------------------------------------------------

    async def live_event(self, message: dict[str, Any]) -> None:
        """A committed case event (sent to the case, team, assignee and desk groups)."""
        event_id = message.get("id")
        if event_id is not None:
            if event_id in self.seen_events:  # this socket is in several of those groups
                return
            self.seen_events.append(event_id)
        folio = message.get("case")
        if folio in self.watched and message.get("kind") in RECHECK_VERBS:
            if await self._visible_case_id(folio) is None:
                await self._drop(folio)
        text = ""
        if folio:  # an agent's availability concerns boards, not a case: nothing to announce
            with translation.override(self.language):
                text = _("Caso %(folio)s: %(what)s") % {
                    "folio": folio,
                    "what": verb_label(message.get("kind", "")),
                }
        await self.send_json(
            {
                "type": "event",
                **{k: message.get(k) for k in ("kind", "case", "team", "user", "teams", "users")},
                "text": text,
            }
        )

    async def live_presence(self, message: dict[str, Any]) -> None:
        mode = message["mode"]
        with translation.override(self.language):
            if mode == "reply":
                text = _("%(name)s está respondiendo") % {"name": message["user"]}
            elif mode == "note":
                text = _("%(name)s está escribiendo una nota") % {"name": message["user"]}
            else:
                text = ""
        await self.send_json(
            {
                "type": "presence",
                **{k: message[k] for k in ("folio", "user", "user_id", "mode")},
                "text": text,
            }
        )

    async def live_notification(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "notification",
                **{k: message.get(k) for k in ("id", "title", "url", "unread")},
                "text": message.get("title", ""),
            }
        )

    # --- helpers -----------------------------------------------------------------------------

    async def _join(self, names: set[str]) -> None:
        for group in names:
            await self.channel_layer.group_add(group, self.channel_name)
        self.joined |= names

    async def _leave(self, names: set[str]) -> None:
        for group in names:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the membership expires on its own
                logger.warning("live: could not leave group %s", group, exc_info=True)
        self.joined -= names

    async def _recheck(self) -> bool:
        """Re-check what this socket may receive (on ping); False when it was closed for it.

        The user is reloaded: deactivated or deleted, the socket is closed with 4401. Otherwise
        it keeps the groups the user may still be in (their own, their current teams', the desk
        if their role sees it, the cases they follow that they still see), leaves the others,
        tells the client which followed cases it dropped, and renews its memberships when due.
        """
        user, home, visible = await self._permissions(list(self.watched))
        if user is None:
            for folio in list(self.typing):  # they are not typing any more
                await self._presence(folio, "stopped")
            await self._leave(set(self.joined))
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return False
        self.user = user
        for folio in [folio for folio in self.watched if folio not in visible]:
            await self._drop(folio)
        allowed = home | {groups.case_group(case_id) for case_id in self.watched.values()}
        await self._leave(self.joined - allowed)
        if time.monotonic() - self.joined_at > layers.GROUP_EXPIRY_SECONDS / 2:
            await self._join(allowed)
            self.joined_at = time.monotonic()
        else:
            await self._join(allowed - self.joined)
        return True

    async def _watch(self, folio: str) -> int | None:
        if folio in self.watched:
            return self.watched[folio]
        case_id = await self._visible_case_id(folio) if len(self.watched) < MAX_WATCHED else None
        if case_id is None:
            await self.send_json({"type": "error", "code": "not_found", "folio": folio})
            return None
        await self._join({groups.case_group(case_id)})
        self.watched[folio] = case_id
        await self.send_json({"type": "watching", "folio": folio})
        return case_id

    async def _unwatch(self, folio: str) -> None:
        if folio in self.typing:
            await self._presence(folio, "stopped")
        case_id = self.watched.pop(folio, None)
        if case_id is not None:
            await self._leave({groups.case_group(case_id)})

    async def _drop(self, folio: str) -> None:
        """Stop following FOLIO, out of the user's sight now, and say so (as watch_case would)."""
        await self._unwatch(folio)
        await self.send_json({"type": "error", "code": "not_found", "folio": folio})

    async def _typing(self, folio: str, mode: str) -> None:
        if mode == "stopped":
            if folio in self.typing:
                await self._presence(folio, "stopped")
            return
        if await self._watch(folio) is None:
            return
        now = time.monotonic()
        if self.typing.get(folio) == mode and now - self.typed_at.get(folio, 0) < TYPING_EVERY:
            return  # repeated notices within TYPING_EVERY seconds add nothing
        self.typing[folio], self.typed_at[folio] = mode, now
        await self._presence(folio, mode)

    async def _presence(self, folio: str, mode: str) -> None:
        case_id = self.watched.get(folio)
        if mode == "stopped":
            self.typing.pop(folio, None)
        if case_id is None:
            return
        await self.channel_layer.group_send(
            groups.case_group(case_id),
            {
                "type": "live.presence",
                "folio": folio,
                "user": str(self.user),
                "user_id": self.user.pk,
                "mode": mode,
            },
        )

    @database_sync_to_async
    def _home_groups(self) -> set[str]:
        return home_groups(self.user)

    @database_sync_to_async
    def _permissions(self, folios: list[str]) -> tuple[User | None, set[str], set[str]]:
        """The user as now stored (None: deactivated or deleted), their home groups, and which of
        FOLIOS they still see. A few queries, whatever the number of followed cases."""
        user = User.objects.filter(pk=self.user.pk, is_active=True).first()
        if user is None:
            return None, set(), set()
        visible = set(
            cases_visible_to(user).filter(folio__in=folios).values_list("folio", flat=True)
            if folios
            else ()
        )
        return user, home_groups(user), visible

    @database_sync_to_async
    def _visible_case_id(self, folio: str) -> int | None:
        try:
            return case_for_folio(self.user, folio).pk
        except Case.DoesNotExist:
            return None


def home_groups(user: User) -> set[str]:
    """The groups a socket of USER is in whatever page it shows: its user, teams and desk."""
    names = {groups.user_group(user.pk)}
    names |= {groups.team_group(pk) for pk in user.teams.values_list("pk", flat=True)}
    if user.sees_whole_desk:
        names.add(groups.DESK)
    return names


def verb_label(kind: str) -> str:
    return str(Verb(kind).label) if kind in Verb.values else kind


def socket_language(scope: Mapping[str, Any], user: User) -> str:
    """The language LocaleMiddleware would pick: the language cookie, the browser, the user's."""
    supported = {code for code, _name in settings.LANGUAGES}
    candidates = [scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")]
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            candidates += [lang for lang, _q in parse_accept_lang_header(value.decode())]
    candidates.append(user.language)
    for candidate in candidates:
        code = (candidate or "").lower().split("-")[0]
        if code in supported:
            return code
    return settings.LANGUAGE_CODE
