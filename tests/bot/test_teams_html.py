"""Teams' message HTML made clean text: what the bot matches as a command and keeps as a note."""

from __future__ import annotations

import pytest

from bot.transport.teams_html import clean_teams_html, strip_mentions


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<p>Roolit &amp; vastuut</p>", "Roolit & vastuut"),
        ("<div><at>HYTE-botti</at>&nbsp;1. Yhteinen foorumi</div>", "1. Yhteinen foorumi"),
        ("<p>Kysytään <at>Maija Meikäläinen</at>:lta</p>", "Kysytään Maija Meikäläinen:lta"),
        ("<p>Eka rivi<br>Toka rivi</p><p>Kolmas</p>", "Eka rivi\nToka rivi\nKolmas"),
        ("<ul><li>yksi</li><li>kaksi</li></ul>", "- yksi\n- kaksi"),
        ('Hyvä <emoji id="smile" alt="🙂" title="Hymy"></emoji> idea', "Hyvä 🙂 idea"),
        ("  väli\u00a0\u00a0lyönnit  \n\n\n\nja  rivit ", "väli lyönnit\n\nja rivit"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ("<script>alert(1)</script>ok", "ok"),
        ("a < b ja c > d", "a < b ja c > d"),
    ],
)
def test_teams_html_becomes_clean_text_without_the_bots_mention(html: str, expected: str):
    assert clean_teams_html(html, drop_mentions=["HYTE-botti"]) == expected


def test_every_mention_tag_can_be_taken_out():
    assert " ".join(strip_mentions("<at>HYTE-botti</at> tila <AT>Matti</AT>").split()) == "tila"

