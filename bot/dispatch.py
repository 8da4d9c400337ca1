"""From what arrived to a route's reply: the one place that decides which route runs, for whom.

The transport gives an `Inbound` and the turn's `Connector`; the dispatcher finds the route (a
command, a card action, an event), builds the `Turn` (the round, the person, the time, the
feature's services), refuses by the route's declared access, runs the handler and returns its
reply for the transport to write.

A turn is served by the current round of its tenant's county (bot/rounds.py), and by nothing else: a
tenant no county is in gets a sentence saying so, whatever it sent. A route declared for past
rounds serves one of the county's earlier rounds when its command names a year ("yhteenveto kysely
2024") or its card came from one, for the HYTE team only; a card of any other round, or of another
county, is refused as stale.

What is cheap is decided first. A channel message that does not @mention the bot is a command only
when its whole text is one and it comes from a person of the round in the board team's channels;
anything else goes to the channel-message route (workshop notes), which needs neither the sender
matched to the round nor a record against repeats (`recorded`): storing a note is idempotent.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Mapping

from pydantic import ValidationError

from bot import logs
from bot.connector import Connector
from bot.identity import Identity, IdentityResolver, sender_of
from bot.inbound import Event, Inbound, Kind
from bot.rounds import Rounds
from bot.router import Route, Router, refusal
from bot.services.background import Background
from bot.turn import Reply, Turn
from cards import elements as ui
from cards.catalogue import DEFAULT_LANGUAGE, speaking, t
from cards.payloads import parse_payload
from cards.text import User
from hyte.clock import Clock
from hyte.languages import LanguageChoices, from_locale, language_for
from hyte.round import Round
from hyte.teams import ConversationRepository, TeamRepository

logger = logging.getLogger(__name__)

MAX_COMMAND_ECHO = 80
"""Characters of an unknown command said back to the person."""


class Dispatcher:
    def __init__(
        self, router: Router, services: Mapping[str, Any], *, rounds: Rounds, identities: IdentityResolver,
        conversations: ConversationRepository, teams: TeamRepository, clock: Clock, background: Background,
        languages: LanguageChoices | None = None,
    ) -> None:
        for routes in router.features:
            given = services.get(routes.feature)
            if routes.services is not None and not isinstance(given, routes.services):
                raise TypeError(f"feature {routes.feature!r} needs its {routes.services.__name__}, not {given!r}")
        self.router = router
        self._services = services
        self._rounds = rounds
        self._identities = identities
        self._conversations = conversations
        self._teams = teams
        self._clock = clock
        self.background = background
        self._languages = languages
        self._known_conversations: set[tuple[str | None, str, str]] = set()

    def recorded(self, inbound: Inbound) -> bool:
        """Whether a repeat of this message must not run again: all but a channel message that is
        neither addressed to the bot nor a command (a note, or chatter)."""
        if inbound.kind is not Kind.MESSAGE or inbound.conversation.personal or inbound.mentions_bot:
            return True
        return self.router.match_command(inbound.command) is not None

    async def handle(self, inbound: Inbound, connector: Connector) -> Reply | None:
        """The reply to write (a card action's card, a message's answer); None: nothing to say."""
        match inbound.kind:
            case Kind.MESSAGE:
                return await self._message(inbound, connector)
            case Kind.CARD_ACTION | Kind.FILE_CONSENT:
                return await self._action(inbound, connector)
            case Kind.CONVERSATION_UPDATE:
                if inbound.conversation.personal and inbound.bot_added:
                    return await self._event(Event.PERSONAL_INSTALL, inbound, connector)
                if not inbound.conversation.personal and inbound.conversation.team_id is not None:
                    return await self._event(Event.TEAM_UPDATE, inbound, connector)
            case Kind.MESSAGE_CHANGE:
                return await self._event(Event.MESSAGE_CHANGE, inbound, connector)
            case Kind.REACTION:
                return await self._event(Event.REACTION, inbound, connector)
        return None

    # Messages ---------------------------------------------------------------------------------------

    async def _message(self, inbound: Inbound, connector: Connector) -> Reply | None:
        found = self.router.match_command(inbound.command)
        if inbound.conversation.personal or inbound.mentions_bot:
            if found is not None:
                return await self._run(found.command, inbound, connector, year=found.year)
            if not inbound.conversation.personal:
                note = await self._event(Event.CHANNEL_MESSAGE, inbound, connector)
                if note is not None:
                    return note  # a note that @mentions the bot
            else:  # a person of the round's 1:1 chat is kept, whatever they wrote
                round_ = await self._round(inbound)
                if round_ is None:
                    return self._no_county(inbound)
                person = await self._identify(inbound, round_, self._clock.now(), connector)
                with speaking(await self.language_of(inbound, person, round_)):
                    return self._unknown_command(inbound)
            with speaking(await self._language_without_person(inbound)):
                return self._unknown_command(inbound)
        if found is not None:
            # Teams may deliver an @mention with no mention entity and the bot's name cut from the
            # text (MicrosoftDocs/msteams-docs#14422), so "@HYTE-botti yhteenveto työpaja" arrives
            # as "yhteenveto työpaja": from a person of the round in the board team's channels, a
            # message that is wholly a command is one (in a group channel during the workshop: not a note).
            round_ = await self._round(inbound)
            if round_ is not None:
                person = await self._identify(inbound, round_, self._clock.now(), connector)
                if not person.is_stranger and await self.in_board_team(inbound):
                    logger.info("channel command without a mention: id=%s", inbound.id)
                    return await self._run(found.command, inbound, connector, round_=round_, person=person,
                                           year=found.year)
        return await self._event(Event.CHANNEL_MESSAGE, inbound, connector)

    @staticmethod
    def _unknown_command(inbound: Inbound) -> Reply:
        echo = " ".join(inbound.command.split())[:MAX_COMMAND_ECHO]
        return Reply(card=ui.card([ui.sentence("unknown_command", text=User(echo))]))

    # Card actions -----------------------------------------------------------------------------------

    async def _action(self, inbound: Inbound, connector: Connector) -> Reply:
        try:
            payload = parse_payload(inbound.data or {})
        except ValidationError as exc:
            logger.info("card payload refused: errors=%d", exc.error_count())
            return Reply(text=t("card_not_understood", await self._language_without_person(inbound)))
        route = self.router.find_action(payload)
        if route is None:
            return Reply(text=t("card_not_understood", await self._language_without_person(inbound)))
        return await self._run(route, inbound, connector, payload=payload)

    # Events -----------------------------------------------------------------------------------------

    async def _event(self, event: Event, inbound: Inbound, connector: Connector) -> Reply | None:
        """An event route's reply; None when no route takes the event, or the route says it is not its."""
        route = self.router.find_event(event)
        if route is None:
            return None
        return await self._run(route, inbound, connector)

    # Running a route --------------------------------------------------------------------------------

    async def _run(
        self, route: Route, inbound: Inbound, connector: Connector, *, payload: Any = None,
        round_: Round | None = None, person: Identity | None = None, year: int | None = None,
    ) -> Reply | None:
        now = self._clock.now()
        if round_ is None:
            round_ = await self._round(inbound)
            if round_ is None:
                return self._no_county(inbound)
        if person is None:
            person = await self._identify(inbound, round_, now, connector) if route.identify else sender_of(inbound)
        language = await self.language_of(inbound, person, round_)
        with speaking(language):  # refusals too are in the person's language
            return await self._serve(route, inbound, connector, payload, round_, person, year, now, language)

    async def _serve(
        self, route: Route, inbound: Inbound, connector: Connector, payload: Any, round_: Round, person: Identity,
        year: int | None, now: datetime, language: str,
    ) -> Reply | None:
        refused = await refusal(route.access, person, inbound.conversation.personal, lambda: self.in_board_team(inbound))
        if refused:
            return Reply(text=t(refused))
        served = round_
        if payload is not None and payload.round != round_.id:
            # A card of an earlier round of this county, for a route that reads past rounds; any
            # other (an earlier round's survey card, another county's round) is stale.
            past = await self._rounds.find(inbound.tenant_id, payload.round) \
                if route.past_rounds and person.team_member is not None else None
            if past is None:
                logger.info("card of another round refused: route=%s", route.target)
                return Reply(text=t("survey.stale_round"))
            served = past
        if year is not None and year != round_.year:
            if person.team_member is None:
                return Reply(text=t("past_round.team_only"))
            past = await self._rounds.in_year(inbound.tenant_id, year)
            if past is None:
                county = self._rounds.catalogue.county(inbound.tenant_id)
                years = ", ".join(str(y) for y in county.years) if county is not None else ""
                return Reply(text=t("past_round.unknown", year=year, years=years))
            served = past
            await connector.say(Reply(text=t("past_round.showing", year=year)))
        if served is not round_:
            logs.current_round.set(served.id)
            logger.info("past round served: route=%s", route.target)
        if language not in served.languages:  # an earlier round that did not offer it
            language = served.languages[0]
        turn = Turn(inbound, person, served.in_language(language), now, self._services.get(route.feature), connector,
                    self.background, language)
        with speaking(language):
            if payload is not None:
                return await route.handler(turn, payload)
            return await route.handler(turn)

    async def language_of(self, inbound: Inbound, person: Identity, round_: Round) -> str:
        """The language the person reads (hyte.languages.language_for): the one they chose with
        `kieli` / `språk` (a person of the round), else their Teams client's locale, else the
        round's first; only one the round offers. A one-language round asks nothing."""
        if len(round_.languages) == 1:
            return round_.languages[0]
        chosen = None
        if self._languages is not None and not person.is_stranger and person.tenant_id and person.aad_object_id:
            chosen = await self._languages.chosen(person.tenant_id, person.aad_object_id)
        return language_for(round_.languages, chosen, inbound.locale)

    async def _language_without_person(self, inbound: Inbound) -> str:
        """The language of an answer given before the sender is matched to the round: their Teams
        client's, if the tenant's round offers it, else the round's first (no round: the client's,
        else Finnish)."""
        round_ = await self._rounds.current(inbound.tenant_id)
        return language_for(round_.languages, None, inbound.locale) if round_ is not None else _by_locale(inbound)

    async def _round(self, inbound: Inbound) -> Round | None:
        """The current round of the activity's tenant's county (None: no county is in that tenant),
        named in every log line of the turn from here on."""
        round_ = await self._rounds.current(inbound.tenant_id)
        logs.current_round.set(round_.id if round_ is not None else None)
        return round_

    @staticmethod
    def _no_county(inbound: Inbound) -> Reply | None:
        """A tenant the settings let in but no county is in: told so when it asked something."""
        logger.info("no county in the activity's tenant: id=%s", inbound.id)
        asked = inbound.kind in (Kind.CARD_ACTION, Kind.FILE_CONSENT) or (
            inbound.kind is Kind.MESSAGE and (inbound.conversation.personal or inbound.mentions_bot))
        return Reply(text=t("no_county", _by_locale(inbound))) if asked else None

    async def _identify(self, inbound: Inbound, round_: Round, now: datetime, connector: Connector) -> Identity:
        """The sender matched to the round's people; a known person's 1:1 conversation is kept for
        proactive messages (a channel's are kept when the bot joins the team)."""
        person = await self._identities.resolve(inbound, round_, now, connector)
        if not person.is_stranger and inbound.conversation.personal:
            conversation = inbound.conversation
            key = (person.tenant_id, conversation.id, conversation.service_url)
            if key not in self._known_conversations:
                await self._conversations.remember(
                    person.tenant_id, conversation.id, conversation.type, conversation.service_url,
                    connector.reference(), person.aad_object_id, now,
                )
                self._known_conversations.add(key)
        return person

    async def in_board_team(self, inbound: Inbound) -> bool:
        """Whether the activity is in a channel of the advisory board's team: by Teams'
        channelData.team, or, when Teams leaves that out (RSC deliveries may carry only the tenant,
        MicrosoftDocs/msteams-docs#14422), by the conversation's channel among the team's channels."""
        board = await self._teams.board_team(inbound.tenant_id) if inbound.tenant_id else None
        if board is None:
            return False
        conversation = inbound.conversation
        if conversation.team_id is not None:
            return conversation.team_id == board.team_id
        channel = conversation.channel_id
        return channel is not None and (channel == board.team_id or channel in {c.channel_id for c in board.channels})


def _by_locale(inbound: Inbound) -> str:
    """The language of an answer given before any round is known (a card not understood, a tenant
    no county is in): the Teams client's, else Finnish."""
    return from_locale(inbound.locale) or DEFAULT_LANGUAGE
