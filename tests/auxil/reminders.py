"""Helpers of the timetable and reminder tests: a round file with fixed dates, the board team on the
connector stand-in and in the bot's storage, channel-shaped card actions, and a driver that runs a
round's reminder plan on a fake clock, recording what was sent when (Helsinki time)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Awaitable, Callable

import yaml

from loopback.connector import ConnectorStandIn
from loopback.person import CARD, texts
from loopback.teams import TeamsEnv, TeamsUser, card_action, member
from hyte.clock import FixedClock
from hyte.round import HELSINKI

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "config" / "pohjois-savo" / "round.yaml"
BOARD_TEAM = "19:hyte-neuvottelukunta@thread.tacv2"
BOARD_TEAM_NAME = "HYTE-neuvottelukunta"

# A round across the March 2024 change to summer time (31.3.2024 03.00 -> 04.00).
TIMETABLE_2024 = {
    "material_review": "2024-02-14T13:00",
    "survey_opens": "2024-03-18T08:00",
    "survey_closes": "2024-04-03T16:00",
    "negotiation_meeting": "2024-04-17T09:00",
    "summary_to_government": "2024-05-31T12:00",
    "results_into_plan": "2024-09-16T12:00",
}


def write_round(directory: Path, timetable: dict[str, str] | None = None, reminders: dict | None = None,
                representatives: list[dict] | None = None, organisations: list[dict] | None = None) -> Path:
    """The demo round with fixed dates (and, if given, a reminders section or other people)."""
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["survey_file"] = str(DEMO.parent / "survey.yaml")
    data.pop("workshop_file", None)
    data["timetable"] = dict(timetable or TIMETABLE_2024)
    if reminders is not None:
        data["reminders"] = reminders
    if representatives is not None:
        data["representatives"] = representatives
    if organisations is not None:
        data["organisations"] = organisations
    path = directory / "round.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def install_board_team(services: Any, connector: ConnectorStandIn, env: TeamsEnv, members: list[TeamsUser],
                             at: datetime) -> None:
    """The bot installed in the advisory board's team, whose roster holds `members`."""
    connector.add_team(BOARD_TEAM, BOARD_TEAM_NAME)
    connector.members[BOARD_TEAM] = [member(env, user) for user in members]
    await services.teams.installed(env.tenant_id, BOARD_TEAM, BOARD_TEAM_NAME, None, env.service_url, None, True, at)


def channel_card_action(env: TeamsEnv, user: TeamsUser, verb: str, data: dict, message_id: str) -> dict:
    """An adaptiveCard/action invoke from a card posted in the board team's General channel."""
    activity = card_action(env, user, verb, data)
    activity["conversation"] = {
        "conversationType": "channel", "isGroup": True, "tenantId": env.tenant_id,
        "id": f"{BOARD_TEAM};messageid={message_id}",
    }
    activity["channelData"] = {"tenant": {"id": env.tenant_id}, "team": {"id": BOARD_TEAM},
                               "channel": {"id": BOARD_TEAM}}
    activity["replyToId"] = message_id
    return activity


def card_of(activity: dict) -> dict:
    (card,) = [a["content"] for a in activity.get("attachments") or [] if a["contentType"] == CARD]
    return card


@dataclass(frozen=True)
class Sent:
    at: datetime
    """The fake clock's time of the run that sent it, in Helsinki time."""
    conversation_id: str
    text: str
    card: dict


class FakeSleep:
    """Records the waits the sender asks for instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class PlanDriver:
    """Moves the fake clock from one due job to the next and runs the scheduler(s) there."""

    def __init__(self, clock: FixedClock, connector: ConnectorStandIn, schedulers: Callable[[], list[Any]]) -> None:
        self.clock = clock
        self.connector = connector
        self.schedulers = schedulers
        self.sent: list[Sent] = []
        self._seen = len(connector.calls)
        self._runs = 0

    async def run_until(self, end: datetime, before: Callable[[datetime], Awaitable[None]] | None = None,
                        *, together: bool = False) -> None:
        while True:
            schedulers = self.schedulers()
            due = [d for s in schedulers if (d := await s.jobs.next_due(s.round.tenant_id, s.round.id)) is not None]
            if not due:
                break
            at = max(min(due), self.clock.now())
            if at > end:
                break
            self.clock.set(at)
            if before is not None:
                await before(at)
            if together:  # all at once, a different one starting first each time (none always wins the race)
                self._runs += 1
                shift = self._runs % len(schedulers)
                await asyncio.gather(*(s.run_due(at) for s in schedulers[shift:] + schedulers[:shift]))
            else:
                for scheduler in schedulers:
                    await scheduler.run_due(at)
            self.collect()
        self.clock.set(max(self.clock.now(), end))

    def collect(self) -> list[Sent]:
        calls = self.connector.calls
        new = calls[self._seen:]
        self._seen = len(calls)
        sent = []
        for call in new:
            if call.kind in ("send", "reply") and call.status < 300 and isinstance(call.body, dict):
                card = card_of(call.body)
                sent.append(Sent(self.clock.now().astimezone(HELSINKI), call.conversation_id or "", texts(card), card))
        self.sent.extend(sent)
        return sent

    def to(self, conversation_id: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation_id == conversation_id]


def local(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=HELSINKI)
