"""The decision proposal's template in the round file: known placeholders only, filled per language."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hyte.decision import DecisionProposal


def test_the_default_is_filled_in_finnish_and_swedish():
    proposal = DecisionProposal()
    title, paragraphs = proposal.filled("fi", county="Pohjois-Savon hyvinvointialue", year=2024,
                                        meeting_date="22.5.2024", summary_version="2")
    assert title == "Päätösehdotus: HYTE-neuvottelujen tulokset"
    assert paragraphs[0].startswith("Aluehallitus merkitsee tiedoksi HYTE-neuvottelujen 2024 tulokset (yhteenveto, versio 2)")
    assert "Pohjois-Savon hyvinvointialue neuvotteli 22.5.2024" in paragraphs[2]
    _, swedish = proposal.filled("sv", county="Skärgårdens välfärdsområde", year=2024, meeting_date="22.5.2024",
                                 summary_version="1")
    assert swedish[0].startswith("Regionstyrelsen antecknar för kännedom")


def test_a_county_text_with_an_unknown_placeholder_is_refused():
    with pytest.raises(ValidationError, match="unknown placeholders"):
        DecisionProposal(text="Aluehallitus päättää {kunta}")
    with pytest.raises(ValidationError, match="brace"):
        DecisionProposal(text="Aluehallitus {")
    plain = DecisionProposal(text="Aluehallitus merkitsee tiedoksi {county} {year}.")
    assert plain.filled("sv", county="X", year=2025, meeting_date="", summary_version="1")[1] == [
        "Aluehallitus merkitsee tiedoksi X 2025."]  # a Finnish-only text serves every language
