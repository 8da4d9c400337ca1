"""bot/transport/http.parse_activity reads every kind of Teams activity the bot receives exactly as
botbuilder's `Activity().deserialize` does (it only skips msrest's key-by-key copy of the free-form
fields)."""

from __future__ import annotations

import pytest
from botbuilder.schema import Activity

from loopback.channel import TeamSpec, channel_message, reaction, team_update
from loopback.teams import TeamsEnv, TeamsUser, card_action, personal_install, personal_message
from bot.transport.http import parse_activity

ENV = TeamsEnv(service_url="http://127.0.0.1:9/", tenant_id="tenant-1")
USER = TeamsUser("00000000-0000-0000-0000-0000000000a1", "Maija Meikäläinen")
TEAM = TeamSpec("19:team@thread.tacv2", "HYTE-neuvottelukunta", {"Ryhmä 1": "19:g1@thread.tacv2"})

ACTIVITIES = {
    "message": personal_message(ENV, USER, "kysely"),
    "card action": card_action(ENV, USER, "survey.step", {"r": "x", "q.a": ["b", "c"], "nested": {"d": [1, {"e": None}]}}),
    "older client's submit": personal_message(ENV, USER, None, value={"verb": "survey.step", "q.a": "b"}, reply_to_id="1:9"),
    "install": personal_install(ENV, USER),
    "channel note": channel_message(ENV, USER, TEAM, "19:g1@thread.tacv2", "<p>Muistiinpano</p>", mention_bot=True),
    "reaction": reaction(ENV, USER, TEAM, "19:g1@thread.tacv2", "1700000000000"),
    "team event": team_update(ENV, USER, TEAM, "channelCreated", channel={"id": "19:new@thread.tacv2", "name": "Uusi"}),
}


@pytest.mark.parametrize("name", ACTIVITIES)
def test_an_activity_reads_as_botbuilder_reads_it(name):
    body = ACTIVITIES[name]
    ours, theirs = parse_activity(body), Activity().deserialize(body)
    assert ours.serialize() == theirs.serialize()
    assert ours == theirs  # every attribute of every model, unknown keys (additional_properties) too
    assert ours.value == theirs.value and ours.channel_data == theirs.channel_data


@pytest.mark.parametrize("timestamp", [
    "2024-05-02T10:00:00.123Z", "2024-05-02T13:00:00.123+03:00", "2024-05-02T04:30:00-05:30",
    "2024-05-02T10:00:00.1234567Z", "2024-05-02T10:00:00.123456Z", "2024-05-02T10:00:00Z",
    "2024-05-02T10:00:00z", "2024-05-02T10:00:00", "9999-12-31T23:00:00-02:00", "0001-01-01T01:00:00+02:00",
])
def test_a_timestamp_reads_as_botbuilder_reads_it(timestamp):
    body = {**personal_message(ENV, USER, "kysely"), "timestamp": timestamp, "localTimestamp": timestamp}
    try:
        theirs = Activity().deserialize(body)
    except Exception as error:  # noqa: BLE001 - msrest refuses it: so must we
        with pytest.raises(type(error)):
            parse_activity(body)
        return
    ours = parse_activity(body)
    assert ours.timestamp == theirs.timestamp and ours.local_timestamp == theirs.local_timestamp
    assert ours.timestamp.utcoffset() == theirs.timestamp.utcoffset()
    assert ours.serialize() == theirs.serialize()
