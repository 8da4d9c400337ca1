"""Composition root: builds the app from the settings and wires its parts; nothing else.

`create_app(settings)` (tests call it too) opens the database, builds the repositories, the Bot
Framework side (bot/transport/), every feature's services, the dispatcher and the background
work (reminders, queued replies, forgetting processed activity ids), and serves
`POST /api/messages`, `GET /healthz`, the exports' download links and the privacy pages.

    python app.py [serve|migrate|export|person|round] …    the command line: cli.py
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass

from aiohttp import web

from bot.dispatch import Dispatcher
from bot.features.board_team import BoardTeamServices
from bot.features.exports import ExportServices, download_handler
from bot.features.guide import GuideServices
from bot.features.meeting import MeetingServices
from bot.features.language import LanguageServices
from bot.features.privacy import (
    PRIVACY_PATH, TERMS_PATH, Facts, county_page_handler, page_handler, render_county_pages,
)
from bot.features.reminders import ReminderServices
from bot.features.curation import CurationServices
from bot.features.results import ResultsServices
from bot.features.survey import Survey
from bot.features.timeline import TimelineServices
from bot.features.workshop import WorkshopServices
from bot.identity import IdentityResolver
from bot.process import freeze_startup_objects
from bot.rounds import Rounds
from bot.routes import build_router
from bot.services import cpu
from bot.services.background import Background
from bot.services.exports import DOWNLOAD_PATH, Exports, LinkSigner, link_signer
from bot.services.meeting import MeetingDesk
from bot.services.scheduler import Scheduler
from bot.transport.framework import BotIdentity, framework
from bot.transport.handler import TeamsBot
from bot.transport.http import (
    ACTIVITY_IDS_KEPT, MAX_BODY_BYTES, TurnCompletions, activity_ids_kept, hide_server_software, messages_handler,
)
from bot.transport.auth import RequestAuthenticator
from bot.transport.authorizations import Authorizations
from bot.transport.outbound import Outbound, RateLimiter
from bot.transport.queued import QueuedReplies
from bot.transport.sender import Sender
from hyte.clock import Clock, SystemClock
from hyte.round import Round
from hyte.finnish import lemmatiser_available
from hyte.lemmas import check_lemmatiser
from hyte.words import LemmatiserUnavailable
from hyte.rounds import RoundCatalogue
from settings import HERE, Settings, StartupError, database_problem, load_configured_rounds
from storage.activities import SqlActivityLog
from storage.curation import SqlCurationRepository
from storage.db import OPEN_ERRORS, Database, migrate
from storage.meeting import SqlMeetingRepository
from storage.queued import SqlQueuedReplies
from storage.reminders import SqlJobRepository, SqlPeopleDirectory, SqlTimetableRepository
from storage.repositories import (
    SqlConversationRepository, SqlPositionRepository, SqlResponseRepository, SqlTeamRepository,
)
from storage.languages import SqlLanguageChoices
from storage.workshop import SqlWorkshopRepository

logger = logging.getLogger("hyte")

BUNDLED_ROUND = HERE / "config" / "pohjois-savo"
"""The demo round's folder: its privacy notice and terms templates serve a round that has none."""
BACKGROUND_DRAIN_SECONDS = 30.0
"""At shutdown, how long summaries and exports in hand may take to finish."""


@dataclass(frozen=True)
class Services:
    """What the composition root built and wired: for the app's lifecycle, and for tests and
    operators to look at."""

    round: Round
    """The first county's current round, as configured (a one-file folder's only round; every
    county's: `rounds.catalogue`, with moved dates: `rounds.current(tenant)`)."""
    rounds: Rounds
    clock: Clock
    responses: SqlResponseRepository
    positions: SqlPositionRepository
    conversations: SqlConversationRepository
    teams: SqlTeamRepository
    timetables: SqlTimetableRepository
    jobs: SqlJobRepository
    workshops: SqlWorkshopRepository
    scheduler: Scheduler
    sender: Sender
    exports: Exports
    links: LinkSigner
    background: Background


SERVICES = web.AppKey("services", Services)
AUTHENTICATOR = web.AppKey("authenticator", RequestAuthenticator)
QUEUED = web.AppKey("queued", QueuedReplies)


def bot_identity(settings: Settings) -> BotIdentity:
    return BotIdentity(
        settings.microsoft_app_id, settings.microsoft_app_password.get_secret_value(), settings.microsoft_app_type,
        settings.microsoft_app_tenant_id, settings.channel_openid_metadata_url, settings.channel_token_issuer,
        settings.to_channel_from_bot_login_url, settings.entra_timeout_seconds,
    )


def create_app(settings: Settings, *, clock: Clock | None = None, credentials_factory=None) -> web.Application:
    """The app. `credentials_factory` replaces the Entra credentials of outgoing calls (tests give
    one that signs tokens locally, so the real connector client talks to a loopback stand-in; the
    Entra tests point the real ones at a loopback token endpoint with ToChannelFromBotLoginUrl)."""
    clock = clock or SystemClock()
    catalogue = load_configured_rounds(settings, clock)
    round_ = catalogue.default
    hide_server_software()
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    try:
        database = Database.connect(settings.database_url)
    except OSError as exc:  # SQLite: the file's folder cannot be made
        raise StartupError(database_problem(exc)) from exc

    bf = framework(bot_identity(settings), credentials_factory)
    authorizations = Authorizations(fetch_wait=2 * settings.entra_timeout_seconds + 1)
    outbound = Outbound(RateLimiter(tenant_per_second=settings.send_tenant_per_second),
                        backoff_base=settings.send_backoff_seconds, authorizations=authorizations)

    responses, positions = SqlResponseRepository(database), SqlPositionRepository(database)
    conversations, teams = SqlConversationRepository(database), SqlTeamRepository(database)
    timetables, jobs = SqlTimetableRepository(database), SqlJobRepository(database)
    workshops = SqlWorkshopRepository(database)
    languages = SqlLanguageChoices(database)
    curation = SqlCurationRepository(database)
    meeting_desk = MeetingDesk(SqlMeetingRepository(database), workshops, responses, teams, curation)
    rounds = Rounds(catalogue, timetables)
    sender = Sender(bf.adapter, app_id=settings.microsoft_app_id, outbound=outbound, conversations=conversations,
                    teams=teams, people=SqlPeopleDirectory(database))
    scheduler = Scheduler(rounds=rounds, jobs=jobs, responses=responses, sender=sender, clock=clock,
                          poll_seconds=settings.reminder_poll_seconds, languages=languages)
    queued = QueuedReplies(SqlQueuedReplies(database), outbound, sender.credentials, clock,
                           poll_seconds=settings.queued_reply_poll_seconds)
    services = Services(
        round_, rounds, clock, responses, positions, conversations, teams, timetables, jobs, workshops,
        scheduler, sender, Exports(responses, workshops, catalogue, curation=curation, meeting=meeting_desk),
        link_signer(settings.link_secret.get_secret_value(), settings.public_base_url, settings.link_ttl_minutes),
        Background(),
    )

    router = build_router()
    survey = Survey(responses, positions)
    exports = ExportServices(services.exports, services.links)
    dispatcher = Dispatcher(
        router,
        {
            "guide": GuideServices(responses, router.commands),
            "survey": survey,
            "results": ResultsServices(responses, catalogue, curation),
            "curation": CurationServices(responses, curation, catalogue),
            "exports": exports,
            "timeline": TimelineServices(responses, timetables, jobs, scheduler, rounds),
            "reminders": ReminderServices(responses, jobs, scheduler, sender, survey),
            "workshop": WorkshopServices(workshops, teams, on_raise=meeting_desk.raised_changed),
            "meeting": MeetingServices(meeting_desk, services.links),
            "board_team": BoardTeamServices(teams, conversations, workshops),
            "language": LanguageServices(languages),
        },
        rounds=rounds, identities=IdentityResolver(conversations), conversations=conversations, teams=teams,
        clock=clock, background=services.background, languages=languages,
    )
    activities = SqlActivityLog(database)
    pages = render_county_pages(catalogue, Facts(
        activity_ids_days=ACTIVITY_IDS_KEPT.days, link_minutes=settings.link_ttl_minutes,
        queued_reply_minutes=int(queued.max_age.total_seconds() // 60), base_url=settings.public_base_url,
    ), BUNDLED_ROUND)

    async def lifecycle(app: web.Application):
        if not settings.authenticated:
            logger.warning(
                "No MicrosoftAppId set: running UNAUTHENTICATED for local development only "
                "(Agents Playground, tests). Set MicrosoftAppId and MicrosoftAppPassword in production."
            )
        _log_counties(catalogue)
        for note in catalogue.notes:
            logger.warning("rounds: %s", note)
        if not lemmatiser_available():
            logger.warning("Voikko is not installed: summaries will leave out themes (apt-get install libvoikko1 voikko-fi)")
        if any("sv" in r.languages for r in catalogue.current_rounds()):
            _check_swedish()
        if settings.migrate_on_start:
            try:
                await migrate(database.engine)
            except OPEN_ERRORS as exc:
                raise StartupError(database_problem(exc)) from exc
        cpu.install(settings.cpu_workers)
        freeze_startup_objects()
        yield
        await services.background.drain(BACKGROUND_DRAIN_SECONDS)
        await asyncio.to_thread(cpu.shutdown)
        await bf.authenticator.close()
        await outbound.close()
        await database.dispose()

    async def reminders(app: web.Application):
        await scheduler.plan()
        if settings.reminder_poll_seconds > 0:
            await scheduler.start()
        yield
        await scheduler.stop()

    async def queued_replies(app: web.Application):
        await queued.start()
        yield
        await queued.stop()

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "round": round_.id,
                                  "rounds": [r.id for r in catalogue.current_rounds()]})

    app.cleanup_ctx.append(lifecycle)
    app.cleanup_ctx.append(reminders)
    completions = TurnCompletions(activities)
    app.cleanup_ctx.append(activity_ids_kept(activities, clock, completions))
    app.cleanup_ctx.append(queued_replies)
    app.router.add_post("/api/messages", messages_handler(
        bf.adapter, TeamsBot(dispatcher, outbound, queued), bf.authenticator, settings.tenants(catalogue.tenants),
        activities=activities, clock=clock, completions=completions,
    ))
    app.router.add_get("/healthz", healthz)
    app.router.add_get(PRIVACY_PATH, page_handler(pages.bare.notice))
    app.router.add_get(TERMS_PATH, page_handler(pages.bare.terms))
    app.router.add_get(PRIVACY_PATH + "/{county}", county_page_handler(pages, "notice"))
    app.router.add_get(TERMS_PATH + "/{county}", county_page_handler(pages, "terms"))
    app.router.add_get(DOWNLOAD_PATH, download_handler(exports, rounds, clock.now))
    app[SERVICES] = services
    app[AUTHENTICATOR] = bf.authenticator
    app[QUEUED] = queued
    return app


def _check_swedish() -> None:
    """A round offers Swedish: its lemmatiser (simplemma, a pinned dependency) is loaded now, so a
    broken installation fails at start and the first Swedish summary does not pay for the loading."""
    try:
        check_lemmatiser("sv")
    except LemmatiserUnavailable as exc:
        raise StartupError(f"Swedish themes: simplemma cannot be used ({exc}); reinstall the package's dependencies") from exc


def _log_counties(catalogue: RoundCatalogue) -> None:
    for county in catalogue.counties:
        logger.info("county served: key=%s tenant=%s round=%s earlier=%s", county.key, county.tenant_id,
                    county.current.id, ",".join(r.id for r in county.rounds[1:]) or "-")


if __name__ == "__main__":
    import cli

    sys.exit(cli.main(sys.argv))

