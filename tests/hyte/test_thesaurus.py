"""The county's thesaurus (hyte/thesaurus.py): loading and validation with file and field in every
error, the round's `thesaurus_file`, the shipped HYTE vocabulary, and how themes apply it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from hyte.round import load_round
from hyte.configuration import ConfigurationError
from hyte.thesaurus import EMPTY, Thesaurus, ThesaurusTheme, load_thesaurus
from hyte.finnish import ADJ, NOUN, analyse_text
from hyte.phrases import ThemeInput
from hyte.themes import find_themes, theme_keys

CONFIG = Path(__file__).resolve().parents[2] / "config" / "pohjois-savo"
SHIPPED = load_thesaurus(CONFIG / "thesaurus.yaml")


def one_per_source(*texts: str) -> list[ThemeInput]:
    return [ThemeInput(f"i{n}", f"org{n}", t) for n, t in enumerate(texts)]


def write(tmp_path: Path, data: object, name: str = "thesaurus.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- loading and validation -------------------------------------------------------------------

@pytest.mark.parametrize("data, field", [
    ({"themes": [{"label": "x", "terms": ["tapahtuma"], "colour": "red"}]}, "themes.0.colour"),
    ({"themes": [{"terms": ["tapahtuma"]}]}, "themes.0.label"),
    ({"themes": [{"label": "x", "terms": []}]}, "themes.0.terms"),
    ({"themes": [{"label": "x", "terms": ["yhteiset tapahtumat ja tilaisuudet"]}]}, "themes.0.terms"),
    ({"themes": [{"label": "x", "terms": ["tapahtuma 2024"]}]}, "themes.0.terms"),
    ({"themes": [{"label": "x", "terms": ["tapahtuma"]}, {"label": "y", "terms": ["messut", "Tapahtuma"]}]},
     "themes.1.terms.1"),
    ({"stop_words": ["tapahtuma"], "themes": [{"label": "x", "terms": ["tapahtuma"]}]}, "stop_words.0"),
    ({"themes": [{"label": "x", "terms": ["a"], "key": "k"}, {"label": "y", "terms": ["b"], "key": "k"}]}, "duplicate keys"),
    ({"version": 0}, "version"),
    (["tapahtuma"], "(top level)"),
])
def test_an_invalid_thesaurus_names_file_and_field(tmp_path, data, field):
    path = write(tmp_path, data)
    with pytest.raises(ConfigurationError) as error:
        load_thesaurus(path)
    assert str(path) in str(error.value) and field in str(error.value)


def test_unreadable_or_missing_files_are_named(tmp_path):
    broken = tmp_path / "thesaurus.yaml"
    broken.write_text("themes: [\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not valid YAML"):
        load_thesaurus(broken)
    with pytest.raises(ConfigurationError, match="file not found"):
        load_thesaurus(tmp_path / "missing.yaml")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    assert load_thesaurus(tmp_path / "empty.yaml") == EMPTY


def test_terms_are_normalised():
    theme = ThesaurusTheme(label="  yhteiset   tapahtumat ", terms=(" Yhteiset  Tapahtumat", "MESSUT"))
    assert theme.label == "yhteiset tapahtumat" and theme.terms == ("yhteiset tapahtumat", "messut")


def _round_file(tmp_path: Path, **extra) -> Path:
    data = yaml.safe_load((CONFIG / "round.yaml").read_text(encoding="utf-8"))
    data["survey_file"] = str(CONFIG / "survey.yaml")
    data.pop("workshop_file", None)
    data.update(extra)
    return write(tmp_path, data, "round.yaml")


def test_the_round_finds_its_thesaurus(tmp_path):
    demo = load_round(CONFIG / "round.yaml", today=date(2024, 5, 1))
    assert demo.thesaurus == SHIPPED and demo.thesaurus.themes  # thesaurus.yaml beside the round file
    alone = load_round(_round_file(tmp_path), today=date(2024, 5, 1))
    assert alone.thesaurus == EMPTY  # none beside it: the built-in stop words only
    write(tmp_path, {"themes": [{"label": "tapahtumat", "terms": ["tapahtuma"]}]}, "sanasto.yaml")
    named = load_round(_round_file(tmp_path, thesaurus_file="sanasto.yaml"), today=date(2024, 5, 1))
    assert [t.label for t in named.thesaurus.themes] == ["tapahtumat"]
    with pytest.raises(ConfigurationError, match="puuttuu.yaml: file not found"):
        load_round(_round_file(tmp_path, thesaurus_file="puuttuu.yaml"), today=date(2024, 5, 1))
    write(tmp_path, {"themes": [{"label": "x"}]}, "rikki.yaml")
    with pytest.raises(ConfigurationError, match=r"rikki.yaml: .*\n  themes.0.terms"):
        load_round(_round_file(tmp_path, thesaurus_file="rikki.yaml"), today=date(2024, 5, 1))


# --- the shipped HYTE vocabulary --------------------------------------------------------------

def test_every_shipped_term_is_a_noun_or_noun_phrase_voikko_reads():
    """A misspelt term would silently match nothing: each must read as a noun, or an adjective
    that stands for people ("vapaaehtoinen"); an adjective or a genitive may come first."""
    for theme in SHIPPED.themes:
        for term in theme.terms:
            words = [w for w in analyse_text(term) if w is not None]
            assert words and words[-1].kind in (NOUN, ADJ), (theme.label, term, words)


def test_the_shipped_thesaurus_merges_events_occasions_and_fairs():
    items = one_per_source(
        "Yhteiset tapahtumat kokoavat väkeä.",
        "Yhteisistä tilaisuuksista on hyvää kokemusta.",
        "Hyvinvointimessuilla järjestöt esittäytyvät.",
        "Yhteisissä tapahtumissa tavoitetaan ikäihmisiä.",
    )
    assert [t.key for t in find_themes(items)] == ["yhteinen tapahtuma"]  # without a thesaurus: 2 of 4
    [events] = [t for t in find_themes(items, thesaurus=SHIPPED) if t.key == "tapahtuma"]
    assert events.label == "yhteiset tapahtumat ja tilaisuudet"
    assert events.item_ids == ("i0", "i1", "i2", "i3")
    assert {"tapahtuma", "tilaisuus", "hyvinvointimessu"} <= set(events.terms)


def test_grants_forums_and_contact_persons():
    items = one_per_source(
        "Toiminta-avustukset ovat elinehto.",
        "Järjestöavustusten hakuajat yhteen.",
        "Avustuksia pitäisi myöntää pidemmäksi aikaa. Foorumit toimivat.",
        "Järjestöfoorumit kahdesti vuodessa ja yhdyshenkilö joka kuntaan.",
        "Yhteyshenkilöt on nimetty.",
    )
    found = {t.key: t for t in find_themes(items, thesaurus=SHIPPED)}
    assert found["avustus"].label == "järjestö- ja toiminta-avustukset" and len(found["avustus"].sources) == 3
    assert found["järjestöfoorumi"].label == "järjestöfoorumit" and len(found["järjestöfoorumi"].sources) == 2
    assert found["yhteyshenkilö"].label == "yhteyshenkilöt" and len(found["yhteyshenkilö"].sources) == 2
    assert "vuosi" not in found


def test_stop_words_keys_and_a_later_answer():
    thesaurus = Thesaurus(
        stop_words=("kuntakierros",),
        themes=(ThesaurusTheme(label="roolit ja vastuut", terms=("vastuu", "rooli"), key="roles"),),
    )
    items = one_per_source("Roolit ja kuntakierrokset.", "Vastuut ja kuntakierros.", "Vastuunjako ja kuntakierros.")
    found = find_themes(items, thesaurus=thesaurus)
    assert [(t.key, t.label, len(t.sources)) for t in found] == [("roles", "roolit ja vastuut", 2)]
    assert set(found[0].terms) == {"rooli", "vastuu"}
    # a later answer: which curated theme it joins, by the stable key
    assert theme_keys("Rooleista pitäisi sopia.", thesaurus=thesaurus) == ["roles"]
    assert theme_keys("Kuntakierros keväällä.", thesaurus=thesaurus) == []
