"""Configuration texts in several languages (hyte/languages.py): the round says which languages it
offers, the survey, workshop and thesaurus files give each text in each, a missing translation is
named by file and field, and every version is the plain model of its language.

The bilingual files are the invented second county's, config/saaristo/: Finnish verbatim from the
Pohjois-Savo files (only the region's name changed), Swedish written for Finland-Swedish readers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from simplemma import in_target_language

from hyte.answers import validate_all, validate_section
from hyte.round import load_round
from hyte.configuration import ConfigurationError
from hyte.survey import Survey, load_survey
from hyte.thesaurus import load_thesaurus
from hyte.workshop import load_round_workshop, load_workshop

CONFIG = Path(__file__).resolve().parents[2] / "config"
SAVO, SAARISTO = CONFIG / "pohjois-savo", CONFIG / "saaristo"
REGION = {"Pohjois-Savon": "Saariston", "Pohjois-Savossa": "Saaristossa", "Pohjois-Savoon": "Saaristoon"}
BOTH = ("fi", "sv")


def write(tmp_path: Path, data: object, name: str) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def round_file(tmp_path: Path, **changes) -> Path:
    """The Pohjois-Savo round with the bilingual county's files, and `changes`."""
    data = yaml.safe_load((SAVO / "round.yaml").read_text(encoding="utf-8"))
    data.update(survey_file=str(SAARISTO / "survey.yaml"), workshop_file=str(SAARISTO / "workshop.yaml"),
                thesaurus_file=str(SAARISTO / "thesaurus.yaml"))
    data.update(changes)
    return write(tmp_path, data, "round.yaml")


def texts(value: object, path: str = "") -> dict[str, str]:
    """Every string of a model dump by its path ("sections.0.title")."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in texts(item, f"{path}{key}.").items()}
    if isinstance(value, (list, tuple)):
        return {k: v for n, item in enumerate(value) for k, v in texts(item, f"{path}{n}.").items()}
    return {path.rstrip("."): value} if isinstance(value, str) else {}


def region(text: str) -> str:
    for finnish, ours in REGION.items():
        text = text.replace(finnish, ours)
    return text


# --- the round's languages ----------------------------------------------------------------------

def test_a_round_offers_finnish_unless_it_says_more():
    savo = load_round(SAVO / "round.yaml", today=date(2024, 5, 1))
    assert savo.languages == ("fi",) and savo.survey.languages == ("fi",)
    assert savo.survey.in_language("sv") is savo.survey  # Pohjois-Savo is a Finnish-only county


def test_a_bilingual_round_loads_every_file_in_both_languages(tmp_path: Path):
    round_ = load_round(round_file(tmp_path, languages=["fi", "sv"]), today=date(2024, 5, 1))
    assert round_.languages == BOTH
    finnish, swedish = round_.survey, round_.survey.in_language("sv")
    assert (finnish.language, swedish.language) == BOTH and swedish.languages == BOTH
    assert finnish.title == "HYTE-neuvottelujen ennakkokysely"
    assert swedish.title == "Förhandsenkät inför HYTE-förhandlingarna"
    assert swedish.in_language("fi") is finnish and swedish.in_language("sv") is swedish  # cached
    assert round_.thesaurus.in_language("sv").themes[1].label == "organisationsforum"
    workshop = load_round_workshop(tmp_path / "round.yaml", round_.config.workshop_file, round_.languages)
    assert workshop is not None and workshop.in_language("sv").questions[0].text.startswith("Hur kan")
    # a county whose main language is Swedish: plain texts are still the files' Finnish
    swedish_first = load_round(round_file(tmp_path, languages=["sv", "fi"]), today=date(2024, 5, 1))
    assert swedish_first.survey.language == "sv" and swedish_first.survey.model_dump() == swedish.model_dump()
    assert swedish_first.survey.in_language("fi").model_dump() == finnish.model_dump()


@pytest.mark.parametrize("languages", [[], ["de"], ["fi", "fi"], ["FI"]])
def test_the_rounds_languages_are_checked(tmp_path: Path, languages: list[str]):
    path = round_file(tmp_path, languages=languages)
    with pytest.raises(ConfigurationError) as error:
        load_round(path, today=date(2024, 5, 1))
    assert str(path) in str(error.value) and "languages" in str(error.value)


def test_a_person_whose_language_the_round_does_not_offer_reads_its_first():
    survey = load_survey(SAARISTO / "survey.yaml", BOTH)
    assert survey.in_language("en") is survey and survey.in_language("sv") is not survey


# --- a missing translation, by file and field -------------------------------------------------

def _without_swedish(path: Path, tmp_path: Path, drop) -> Path:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    drop(data)
    return write(tmp_path, data, path.name)


@pytest.mark.parametrize("name, drop, field", [
    ("survey.yaml", lambda d: d["sections"][0]["questions"][2]["options"][4]["label"].pop("sv"),
     "sections.0.questions.2.multi_choice.options.4.label"),
    ("survey.yaml", lambda d: d["sections"][2]["questions"][0]["evidence_levels"]["pilot"].pop("sv"),
     "sections.2.questions.0.methods.evidence_levels.pilot"),
    ("survey.yaml", lambda d: d["sections"][1].update(title="Seuranta"), "sections.1.title"),
    ("workshop.yaml", lambda d: d["questions"][1]["prompts"][0].pop("sv"), "questions.1.prompts.0"),
    ("workshop.yaml", lambda d: d.update(title="Työpaja"), "title"),
    ("thesaurus.yaml", lambda d: d["themes"][3]["terms"].pop("sv"), "themes.3.terms"),
    ("thesaurus.yaml", lambda d: d["themes"][3]["label"].pop("sv"), "themes.3.label"),
    ("thesaurus.yaml", lambda d: d.update(stop_words=["saaristo"]), "stop_words"),
])
def test_a_missing_translation_names_the_file_and_the_field(tmp_path: Path, name: str, drop, field: str):
    path = _without_swedish(SAARISTO / name, tmp_path, drop)
    load = {"survey.yaml": load_survey, "workshop.yaml": load_workshop, "thesaurus.yaml": load_thesaurus}[name]
    load(path, ("fi",))  # a Finnish-only round does not need the Swedish text
    with pytest.raises(ConfigurationError) as error:
        load(path, BOTH)
    message = str(error.value)
    assert f"{path} (Swedish (sv))" in message and f"  {field}: " in message
    assert message.count("no Swedish (sv) text") == 1  # that field only


def test_the_round_reports_a_missing_translation_of_its_files(tmp_path: Path):
    broken = _without_swedish(SAARISTO / "survey.yaml", tmp_path, lambda d: d["title"].pop("sv"))
    path = round_file(tmp_path, languages=["fi", "sv"], survey_file=str(broken))
    with pytest.raises(ConfigurationError, match=r"survey.yaml \(Swedish \(sv\)\): 1 invalid field\(s\)\n  title: "):
        load_round(path, today=date(2024, 5, 1))


def test_the_finnish_only_files_do_not_pass_for_bilingual():
    with pytest.raises(ConfigurationError, match="a plain value is Finnish"):
        load_survey(SAVO / "survey.yaml", BOTH)


def test_a_mapping_keyed_by_anything_but_language_codes_is_refused(tmp_path: Path):
    data = yaml.safe_load((SAVO / "workshop.yaml").read_text(encoding="utf-8"))
    data["title"] = {"suomeksi": "Työpaja"}
    with pytest.raises(ConfigurationError, match="title: .*keyed by language codes"):
        load_workshop(write(tmp_path, data, "workshop.yaml"))


# --- the bilingual county's texts -----------------------------------------------------------------

@pytest.mark.parametrize("name, load", [
    ("survey.yaml", load_survey), ("workshop.yaml", load_workshop), ("thesaurus.yaml", load_thesaurus),
])
def test_the_finnish_texts_are_pohjois_savos_with_the_region_changed(name: str, load):
    finnish = load(SAARISTO / name, BOTH).model_dump()
    seed = load(SAVO / name).model_dump()
    if name == "workshop.yaml":
        assert finnish.pop("group_prefixes") == ("Ryhmä", "Grupp", "Group")  # Swedish channel names too
        seed.pop("group_prefixes")
    if name == "thesaurus.yaml":
        assert finnish.pop("stop_words") == ("saaristo", "saaristolainen")
        seed.pop("stop_words")
    assert texts(finnish) == {path: region(text) for path, text in texts(seed).items()}
    assert any("Saaristo" in text for text in texts(finnish).values()) or name == "thesaurus.yaml"


@pytest.mark.parametrize("name, load", [
    ("survey.yaml", load_survey), ("workshop.yaml", load_workshop), ("thesaurus.yaml", load_thesaurus),
])
def test_the_swedish_version_is_the_same_definition_in_swedish(name: str, load):
    finnish = load(SAARISTO / name, BOTH)
    swedish = finnish.in_language("sv")
    fi_texts, sv_texts = texts(finnish.model_dump()), texts(swedish.model_dump())
    assert fi_texts.keys() == sv_texts.keys() or name == "thesaurus.yaml"  # terms differ in number
    translated = {p for p in fi_texts if fi_texts[p] != sv_texts.get(p)}
    kept = {p: fi_texts[p] for p in fi_texts.keys() - translated}
    # what is the same in both is an id, a number, a type, a channel prefix or a language-neutral term
    assert all(not p.endswith(("text", "label", "title", "guidance")) for p in kept), kept
    for path in translated - {"language"}:
        text = sv_texts.get(path)
        if text and len(text.split()) >= 5:
            assert in_target_language(text, lang="sv") >= 0.6, (path, text)  # compounds it does not know
            assert "”" in text or '"' not in text, (path, text)


def test_an_answer_given_in_one_language_is_the_same_in_the_other():
    """Answers are stored by question and option id: validated against either version, the same."""
    finnish = load_survey(SAARISTO / "survey.yaml", BOTH)
    answers = {"goals_progress": "need_more_effort", "partners_found": "yes",
               "goals_to_strengthen": {"selected": ["g03", "other"], "other_text": "Saariston yhteysalukset"},
               "annual_report_scale": 4}
    def problems(survey: Survey) -> dict[str, list[tuple]]:  # the labels in an error's params are the reader's
        return {k: [(e.question_id, e.code, e.part) for e in v] for k, v in validate_all(survey, answers).items()}

    assert problems(finnish) == problems(finnish.in_language("sv")) and problems(finnish)
    for section in finnish.sections:
        swedish = finnish.in_language("sv").section(section.id)
        assert validate_section(section, answers, strict=False).answers == validate_section(
            swedish, answers, strict=False).answers
    assert [q.id for q in finnish.questions] == [q.id for q in finnish.in_language("sv").questions]


def test_the_same_file_loaded_twice_is_equal_and_plain_models_still_build():
    assert load_survey(SAARISTO / "survey.yaml", BOTH) == load_survey(SAARISTO / "survey.yaml", BOTH)
    assert load_survey(SAARISTO / "survey.yaml", BOTH) != load_survey(SAARISTO / "survey.yaml", ("fi",))
    data = yaml.safe_load((SAVO / "survey.yaml").read_text(encoding="utf-8"))
    plain = Survey.model_validate(data)  # no context: plain strings, as before
    assert plain.languages == ("fi",) and plain.in_language("sv") is plain


# Which language a person reads (issue 19) ------------------------------------------------------------

from hyte.languages import from_locale, language_for, named_language  # noqa: E402


@pytest.mark.parametrize("locale, language", [
    ("sv-FI", "sv"), ("sv-SE", "sv"), ("sv", "sv"), ("SV_fi", "sv"), ("fi-FI", "fi"), ("fi", "fi"),
    ("en-US", None), ("de-DE", None), ("", None), (None, None),
])
def test_a_teams_locale_gives_the_bots_language_or_none(locale, language):
    assert from_locale(locale) == language


def test_the_choice_wins_then_the_client_then_the_rounds_first_and_only_one_the_round_offers():
    both = ("fi", "sv")
    assert language_for(both, None, "sv-FI") == "sv"
    assert language_for(both, None, "fi-FI") == "fi"
    assert language_for(both, None, "en-US") == "fi"
    assert language_for(("sv", "fi"), None, "en-US") == "sv"  # a Swedish-first county
    assert language_for(both, "fi", "sv-FI") == "fi"  # chosen with kieli
    assert language_for(both, "sv", "fi-FI") == "sv"  # chosen with språk
    assert language_for(("fi",), "sv", "sv-FI") == "fi"  # a Finnish-only round
    assert language_for(("fi",), None, None) == "fi"


@pytest.mark.parametrize("words, language", [
    ("svenska", "sv"), ("Svenska", "sv"), ("på svenska", "sv"), ("ruotsi", "sv"), ("sv", "sv"),
    ("suomi", "fi"), ("finska", "fi"), ("  Suomeksi ", "fi"), ("klingonska", None), ("", None),
])
def test_the_words_after_kieli_or_sprak_name_a_language(words, language):
    assert named_language(words) == language


def test_a_round_in_another_language_keeps_the_dates_the_hyte_team_moved():
    from datetime import timedelta

    from hyte.round import Phase
    from hyte.timetable import apply_moves, with_timetable

    round_ = load_round(CONFIG / "saaristo" / "round.yaml", date(2024, 5, 2))
    swedish = round_.in_language("sv")
    assert swedish.survey.language == "sv" and swedish.workshop.language == "sv" and swedish.id == round_.id
    assert round_.in_language("sv") is swedish and round_.in_language("fi") is round_
    later = round_.timetable.survey_closes + timedelta(days=2)
    moved = with_timetable(round_, apply_moves(round_.timetable, {Phase.SURVEY_CLOSES: later}))
    assert moved.in_language("sv").timetable.survey_closes == later  # not the unmoved round's version
    assert round_.in_language("sv").timetable.survey_closes == round_.timetable.survey_closes
    assert moved.in_language("sv").in_language("fi").timetable.survey_closes == later
    finnish_only = load_round(CONFIG / "pohjois-savo" / "round.yaml", date(2024, 5, 2))
    assert finnish_only.in_language("sv") is finnish_only  # a language the round does not offer
