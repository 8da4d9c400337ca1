"""The decision proposal page for the regional government, as a template in the round file that the
county edits (`decision_proposal:` in round.yaml; README "Configuring a round").

    decision_proposal:
      title: "Päätösehdotus: HYTE-neuvottelujen tulokset"
      text: |
        Aluehallitus merkitsee tiedoksi HYTE-neuvottelujen {year} tulokset …

A bilingual round gives each as `{fi: …, sv: …}`. The placeholders are {county}, {year},
{meeting_date} and {summary_version}; any other is an error when the round is loaded. Paragraphs are
separated by a blank line.
"""

from __future__ import annotations

from string import Formatter
from typing import Mapping

from pydantic import BaseModel, ConfigDict, field_validator

PLACEHOLDERS = frozenset({"county", "year", "meeting_date", "summary_version"})

DEFAULT_TITLE = {
    "fi": "Päätösehdotus: HYTE-neuvottelujen tulokset",
    "sv": "Beslutsförslag: resultaten av HYTE-förhandlingarna",
}
DEFAULT_TEXT = {
    "fi": (
        "Aluehallitus merkitsee tiedoksi HYTE-neuvottelujen {year} tulokset (yhteenveto, versio {summary_version}) "
        "ja päättää, että tuloksia käytetään talous- ja toimintasuunnitelman HYTE-osuuden valmistelussa.\n\n"
        "Perustelut\n\n"
        "{county} neuvotteli {meeting_date} kuntien, oppilaitosten, järjestöjen ja muiden toimijoiden kanssa "
        "hyvinvoinnin ja terveyden edistämisen tavoitteista, toimenpiteistä, yhteistyöstä ja seurannasta "
        "sosiaali- ja terveydenhuollon järjestämisestä annetun lain (612/2021) 7 §:n mukaisesti. "
        "Neuvottelujen yhteenveto on tämän päätösehdotuksen liitteenä."
    ),
    "sv": (
        "Regionstyrelsen antecknar för kännedom resultaten av HYTE-förhandlingarna {year} (sammandrag, version "
        "{summary_version}) och beslutar att resultaten används vid beredningen av HYTE-delen i budget- och "
        "verksamhetsplanen.\n\n"
        "Motivering\n\n"
        "{county} förhandlade {meeting_date} med kommunerna, läroanstalterna, organisationerna och andra aktörer "
        "om mål, åtgärder, samarbete och uppföljning inom främjandet av välfärd och hälsa enligt 7 § i lagen om "
        "ordnande av social- och hälsovård (612/2021). Förhandlingarnas sammandrag är bilaga till detta "
        "beslutsförslag."
    ),
}


def _by_language(value: object) -> dict[str, str]:
    if isinstance(value, str):
        return {"fi": value}
    if isinstance(value, Mapping) and value and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return dict(value)
    raise ValueError("give a text, or texts by language code ({fi: …, sv: …})")


class DecisionProposal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: dict[str, str] = DEFAULT_TITLE
    text: dict[str, str] = DEFAULT_TEXT

    @field_validator("title", "text", mode="before")
    @classmethod
    def _texts(cls, value: object) -> dict[str, str]:
        texts = _by_language(value)
        for language, text in texts.items():
            try:
                names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
            except ValueError as exc:
                raise ValueError(f"{language}: {exc} (write a literal brace as {{{{ or }}}})") from None
            unknown = sorted(names - PLACEHOLDERS)
            if unknown:
                raise ValueError(f"{language}: unknown placeholders {unknown}; use {sorted(PLACEHOLDERS)}")
        return texts

    def filled(self, language: str, *, county: str, year: int, meeting_date: str, summary_version: str) -> tuple[str, list[str]]:
        """The title and the paragraphs in `language` (else the first the template gives)."""
        values = {"county": county, "year": year, "meeting_date": meeting_date, "summary_version": summary_version}
        title = self.title.get(language) or next(iter(self.title.values()))
        text = self.text.get(language) or next(iter(self.text.values()))
        paragraphs = [p.strip() for p in text.format(**values).split("\n\n") if p.strip()]
        return title.format(**values), paragraphs
