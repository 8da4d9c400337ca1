"""English, on purpose only in part: what the Teams app package shows an English-language Teams
client (the command descriptions of manifest/build.py). The bot itself speaks Finnish and Swedish;
tests/cards/test_catalogue.py holds English to these keys (`PARTIAL`).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "help.team_only": " (HYTE team only)",
        "command.help": "shows these instructions",
        "command.survey": "opens your organisation's pre-survey or resumes an unfinished one",
        "command.status": "tells your organisation's response state and the deadline",
        "command.summary_survey": "the pre-survey summary: response rate, distributions, goals, methods and themes",
        "command.export": "exports the data to Excel and the summary to Word",
        "command.timeline": "shows the round's timetable and what is expected of you now",
        "command.remind": "reminds the organisations that have not answered, once you have confirmed the recipients",
        "command.workshop_start": "starts the workshop: the questions to the groups' channels",
        "command.workshop_stop": "stops the workshop; later messages are marked late",
        "command.summary_workshop": "the workshop summary: the groups' points by question, themes and highlights",
        "command.meeting_joint": "posts the joint discussion card: the groups' raised points and shared themes",
        "command.meeting_conclusions": "shows the conclusions of the negotiations' summary",
        "command.meeting_new": "opens a card to write a new conclusion",
        "command.meeting_finish": "finishes the summary as a numbered version",
        "command.meeting_summary": "gives the summary for the regional government and the plan entry drafts",
    },
}
