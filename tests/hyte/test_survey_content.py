"""The bundled Pohjois-Savo pre-survey (config/pohjois-savo/survey.yaml) against its seed.

The survey's texts must be the seed slide deck's texts verbatim (the repository's copy of the
deck's text: docs/seed/, see tests/auxil/seed.py). The deck's text was extracted
slide by slide, so its lines are broken by the slide layout; the comparisons therefore work on
whitespace-normalised text (every run of whitespace collapsed to one space), see `normalise`.

One more layout artifact is undone in a documented way, see `join_broken_lines`: where a line of
the seed ends in a hyphen or dash, the line was broken after it inside a compound word
("Pohjois-" / "Savoon", "HYTE-" / "teemoihin", "HYTE -" / "menetelmää"), so such a line is joined
to the next without a space. A text counts as found in the seed if it appears in the normalised
seed either with or without that joining.

Section titles, the survey title and the evidence level labels are ours, not the seed's.
The single-choice options of the interfaces section are the seed's "(Kyllä- ei – en osaa sanoa)"
capitalised as separate options; they are compared case-insensitively in their own test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from auxil.seed import read_seed
from hyte.configuration import ConfigurationError
from hyte.survey import (
    EvidenceLevel,
    MethodsQuestion,
    MultiChoiceQuestion,
    ScaleQuestion,
    SingleChoiceQuestion,
    Survey,
    TextQuestion,
    load_survey,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SURVEY_FILE = REPO_ROOT / "config" / "pohjois-savo" / "survey.yaml"

SECTION_IDS = ["goals_measures", "monitoring", "methods", "ngo_cooperation", "interfaces"]
QUESTION_IDS = {
    "goals_measures": [
        "goals_progress",
        "hyte_effectiveness",
        "goals_to_strengthen",
        "organisation_actions",
    ],
    "monitoring": ["annual_report_scale", "annual_report_development"],
    "methods": ["methods"],
    "ngo_cooperation": ["ngo_good_practices", "ngo_at_its_best", "ngo_discussion_needs"],
    "interfaces": ["interfaces_strategy_goal", "partners_found", "roles_clear", "more_cooperation"],
}
YES_NO_QUESTIONS = ("partners_found", "roles_clear")


def normalise(text: str) -> str:
    """Collapse every run of whitespace (line breaks of the slide layout included) to one space."""
    return re.sub(r"\s+", " ", text).strip()


def join_broken_lines(text: str) -> str:
    """Join a line ending in a hyphen or en dash to the next line, without a space."""
    return re.sub(r"([-–])\n\s*", r"\1", text)


@pytest.fixture(scope="module")
def survey() -> Survey:
    return load_survey(SURVEY_FILE)


@pytest.fixture(scope="module")
def seed_raw() -> str:
    return read_seed()


@pytest.fixture(scope="module")
def seed_texts(seed_raw: str) -> tuple[str, str]:
    """The normalised seed, without and with broken lines joined."""
    return normalise(seed_raw), normalise(join_broken_lines(seed_raw))


def in_seed(text: str, seed_texts: tuple[str, str]) -> bool:
    wanted = normalise(text)
    return any(wanted in seed for seed in seed_texts)


def seed_block(seed: str, start: str, end: str) -> str:
    """The normalised seed text strictly between the first `start` and the next `end`."""
    begin = seed.index(start) + len(start)
    return seed[begin : seed.index(end, begin)]


# --- structure ---------------------------------------------------------------------------------


def test_survey_header(survey: Survey) -> None:
    assert survey.id == "hyte_ennakkokysely"
    assert survey.version == 2  # raised since the demo's previous round (config/pohjois-savo-edellinen/survey.yaml)
    assert survey.language == "fi"
    assert survey.title == "HYTE-neuvottelujen ennakkokysely"


def test_sections_in_seed_order(survey: Survey) -> None:
    assert [s.id for s in survey.sections] == SECTION_IDS
    assert [s.title for s in survey.sections] == [
        "Tavoitteet ja toimenpiteet",
        "Seuranta",
        "HYTE-toimenpiteet/ menetelmät",
        "Järjestöyhteistyö",
        "Yhdyspinnat",
    ]
    assert [[t.value for t in s.topics] for s in survey.sections] == [
        ["goals", "measures"],
        ["monitoring"],
        ["measures"],
        ["cooperation"],
        ["cooperation"],
    ]


def test_questions_per_section_and_numbering(survey: Survey) -> None:
    assert {s.id: [q.id for q in s.questions] for s in survey.sections} == QUESTION_IDS
    assert [len(s.questions) for s in survey.sections] == [4, 2, 1, 3, 4]
    assert len(survey.questions) == 14
    for section in survey.sections:
        assert [q.number for q in section.questions] == [
            str(n) for n in range(1, len(section.questions) + 1)
        ], section.id


def test_question_types(survey: Survey) -> None:
    expected = {
        "goals_progress": SingleChoiceQuestion,
        "goals_to_strengthen": MultiChoiceQuestion,
        "annual_report_scale": ScaleQuestion,
        "methods": MethodsQuestion,
        "partners_found": SingleChoiceQuestion,
        "roles_clear": SingleChoiceQuestion,
    }
    for question in survey.questions:
        assert isinstance(question, expected.get(question.id, TextQuestion)), question.id


def test_text_questions_allow_2000_characters(survey: Survey) -> None:
    text_questions = [q for q in survey.questions if isinstance(q, TextQuestion)]
    assert len(text_questions) == 8
    assert all(q.max_length == 2000 for q in text_questions)


def test_goals_progress_options(survey: Survey) -> None:
    question = survey.question("goals_progress")
    assert [(o.id, o.label) for o in question.options] == [
        ("very_well", "etenevät erittäin hyvin"),
        ("need_more_effort", "vaativat vielä paljon tehostamista"),
        ("cannot_say", "emme osaa sanoa"),
    ]


def test_27_goals_then_the_three_special_options(survey: Survey) -> None:
    options = survey.question("goals_to_strengthen").options
    assert len(options) == 30
    goals, special = options[:27], options[27:]
    assert [o.id for o in goals] == [f"g{n:02d}" for n in range(1, 28)]
    assert not any(o.exclusive or o.needs_text for o in goals)
    assert [(o.id, o.label, o.exclusive, o.needs_text) for o in special] == [
        ("all_equal", "Kaikki hyvinvointitavoitteet ovat yhtä tärkeitä", True, False),
        ("cannot_say", "Emme osaa sanoa", True, False),
        ("other", "Jokin muu, mikä", False, True),
    ]


def test_scale_ends(survey: Survey) -> None:
    question = survey.question("annual_report_scale")
    assert (question.min, question.max) == (1, 5)
    assert question.min_label == "näin on hyvä, ei kehitettävää"
    assert question.max_label == "paljon kehitettävää"


def test_six_priority_areas_and_none_option(survey: Survey) -> None:
    question = survey.question("methods")
    assert [(a.id, a.numeral) for a in question.areas] == [
        ("area_1", "I"),
        ("area_2", "II"),
        ("area_3", "III"),
        ("area_4", "IV"),
        ("area_5", "V"),
        ("area_6", "VI"),
    ]
    assert question.areas[3].label == (
        "Mielen hyvinvointi ja riippuvuuksien ehkäisy (päihteet, rahapelaaminen, nettiriippuvuuus)"
    )
    assert question.none_option.id == "none"
    assert question.none_option.exclusive
    assert not question.none_option.needs_text
    assert question.none_option.label.startswith("Emme osaa tällä hetkellä eritellä")


def test_evidence_levels_strongest_first(survey: Survey) -> None:
    levels = survey.question("methods").evidence_levels
    assert list(levels) == list(EvidenceLevel)
    assert levels == {
        EvidenceLevel.RESEARCH_BASED: "Tutkittu, näyttöön perustuva",
        EvidenceLevel.GOOD_PRACTICE: "Toimiva käytäntö",
        EvidenceLevel.PILOT: "Pilotointi",
    }


def test_yes_no_options(survey: Survey) -> None:
    for question_id in YES_NO_QUESTIONS:
        question = survey.question(question_id)
        assert [(o.id, o.label) for o in question.options] == [
            ("yes", "Kyllä"),
            ("no", "Ei"),
            ("cannot_say", "En osaa sanoa"),
        ], question_id


def test_texts_are_single_clean_lines(survey: Survey) -> None:
    """No line break, double space or stray edge space survived the joining of slide lines."""
    for text in _seed_texts_of(survey) + _our_texts_of(survey):
        assert text == normalise(text), text


# --- verbatim against the seed -----------------------------------------------------------------

SAMPLE_TEXTS = [
    # (question id, option/area id or None for the question text, exact text)
    (
        "goals_progress",
        None,
        "Miten mielestänne Pohjois-Savon painopistealueet ja hyvinvointitavoitteet "
        "toimenpiteineen etenevät?",
    ),
    ("goals_progress", "need_more_effort", "vaativat vielä paljon tehostamista"),
    (
        "hyte_effectiveness",
        None,
        "Miten ehdottaisitte tehostettavan Pohjois-Savon hyvinvoinnin ja terveyden edistämistä "
        "eli HYTE-työtä?",
    ),
    ("goals_to_strengthen", "g01", "Lapset ja nuoret kokevat olevansa osa yhteisöjään"),
    (
        "goals_to_strengthen",
        "g10",
        "Terveyttä edistävä liikunta lisääntyy (erit. 2.aste, matalan koulutustason naiset, "
        "ikäihmiset)",
    ),
    (
        "goals_to_strengthen",
        "g16",
        "Nuorten huumekokeilujen ja –käytön ehkäisy (erit 2. asteen nuoret)",
    ),
    ("goals_to_strengthen", "g21", "Väkivaltaa tai sillä uhkailua ei sallita"),
    ("goals_to_strengthen", "g27", "Ennakkoarviointi päätöksenteossa"),
    ("goals_to_strengthen", "other", "Jokin muu, mikä"),
    (
        "organisation_actions",
        None,
        "HYTE-työ on yhteistyötä. Mitä teidän organisaatiossanne voitaisiin tehdä Pohjois-Savon "
        "hyvinvoinnin painopisteiden ja hyvinvointitavoitteiden edistämiseksi vielä vahvemmin?",
    ),
    (
        "annual_report_scale",
        None,
        "Miten toivoisitte Pohjois-Savon hyvinvoinnin vuosiraporttia kehitettävän hyvinvoinnin "
        "ja terveyden edistämisen seurantaan?",
    ),
    (
        "methods",
        None,
        "Mitkä teidän organisaatiossanne on sellaisia menetelmiä/ käytäntöjä/ pilotointeja, "
        "joiden käyttöönottoa toivoisitte vahvistettavan tai otettavaksi käyttöön koko "
        "Pohjois-Savossa liittyen HYTE -painopisteisiin ja hyvinvointitavoitteisiin?",
    ),
    (
        "methods",
        "area_5",
        "Tapaturmien ja väkivallan ehkäiseminen (kaatuminen, tapaturmat, rikokset, "
        "liikenneturvallisuus, kiusaaminen, häirintä ja väkivalta)",
    ),
    (
        "methods",
        "none",
        "Emme osaa tällä hetkellä eritellä erityistä HYTE -menetelmää/käytäntöä/ pilotointia, "
        "jonka käyttöönottoa toivoisimme vahvistettavan tai otettavaksi käyttöön koko "
        "Pohjois-Savoon",
    ),
    (
        "ngo_discussion_needs",
        None,
        "Mistä asioista on tarvetta keskustella, jotta järjestöyhteistyö kehittyisi edelleen "
        "paremmaksi?",
    ),
    (
        "interfaces_strategy_goal",
        None,
        "Kuvaa organisaationne näkemys seuraavasta: Miten saavutetaan Pohjois-Savon "
        'sotepalvelustrategian tavoite: "Yhdyspinnat kuntien, järjestöjen ja muiden '
        'kumppaneiden kanssa toimivat tehokkaasti ja yhteisillä tavoitteilla"?',
    ),
    (
        "partners_found",
        None,
        "Oletteko löytäneet yhteistyökumppaneita HYTE-teemoihin tarpeen mukaan?",
    ),
]


def _text_in_file(survey: Survey, question_id: str, item_id: str | None) -> str:
    question = survey.question(question_id)
    if item_id is None:
        return question.text
    if isinstance(question, MethodsQuestion):
        if item_id == question.none_option.id:
            return question.none_option.label
        return next(a.label for a in question.areas if a.id == item_id)
    return next(o.label for o in question.options if o.id == item_id)


@pytest.mark.parametrize(("question_id", "item_id", "expected"), SAMPLE_TEXTS)
def test_sample_text_is_exact_and_in_seed(
    survey: Survey,
    seed_texts: tuple[str, str],
    question_id: str,
    item_id: str | None,
    expected: str,
) -> None:
    assert _text_in_file(survey, question_id, item_id) == expected
    assert in_seed(expected, seed_texts)


def _seed_texts_of(survey: Survey) -> list[str]:
    """Every text of the file that must be the seed's, verbatim."""
    texts: list[str] = []
    for question in survey.questions:
        texts.append(question.text)
        if isinstance(question, SingleChoiceQuestion) and question.id in YES_NO_QUESTIONS:
            continue  # capitalised from the seed's "(Kyllä- ei – en osaa sanoa)": own test
        if isinstance(question, SingleChoiceQuestion | MultiChoiceQuestion):
            texts.extend(o.label for o in question.options)
        if isinstance(question, ScaleQuestion):
            texts.extend([question.min_label, question.max_label])
        if isinstance(question, MethodsQuestion):
            texts.extend(a.label for a in question.areas)
            texts.extend([question.none_option.label, question.guidance])
        if question.help:
            texts.append(question.help)
    texts.extend(s.intro for s in survey.sections if s.intro)
    return texts


def _our_texts_of(survey: Survey) -> list[str]:
    texts = [survey.title, *(s.title for s in survey.sections)]
    texts.extend(survey.question("methods").evidence_levels.values())
    return texts


def test_every_seed_text_of_the_file_is_in_the_seed(
    survey: Survey, seed_texts: tuple[str, str]
) -> None:
    texts = _seed_texts_of(survey)
    assert len(texts) >= 14 + 3 + 30 + 2 + 6 + 2
    missing = [text for text in texts if not in_seed(text, seed_texts)]
    assert missing == []


def test_choices_are_the_seeds_parenthesis_after_the_question(
    survey: Survey, seed_texts: tuple[str, str]
) -> None:
    """The seed gives choices in parentheses after the question: "Question? (a – b – c)"."""
    progress = survey.question("goals_progress")
    labels = " – ".join(o.label for o in progress.options)
    assert in_seed(f"{progress.text} ({labels})", seed_texts)

    scale = survey.question("annual_report_scale")
    assert in_seed(f"{scale.text} ({scale.min_label} – {scale.max_label})", seed_texts)

    for question_id in YES_NO_QUESTIONS:
        question = survey.question(question_id)
        assert in_seed(f"{question.text} (Kyllä- ei – en osaa sanoa)", seed_texts), question_id
        seed_choices = re.split(r"\s*[-–]\s+", "Kyllä- ei – en osaa sanoa")
        assert [o.label.casefold() for o in question.options] == [
            choice.casefold() for choice in seed_choices
        ]


def test_goal_options_are_the_seeds_bullets_in_order(
    survey: Survey, seed_texts: tuple[str, str]
) -> None:
    _, seed = seed_texts
    block = seed_block(
        seed,
        "Mitä Pohjois-Savon hyvinvointitavoitteita tulisi mielestänne viedä vielä tehostetummin "
        "eteenpäin?",
        "4. HYTE-työ on yhteistyötä.",
    )
    bullets = [normalise(b) for b in block.split("•") if b.strip()]
    assert len(bullets) == 30
    labels = [o.label for o in survey.question("goals_to_strengthen").options]
    assert labels == bullets


def test_priority_areas_are_the_seeds_i_to_vii_in_order(
    survey: Survey, seed_texts: tuple[str, str]
) -> None:
    _, seed = seed_texts
    block = seed_block(
        seed,
        "HYTE -painopisteisiin ja hyvinvointitavoitteisiin?",
        "HYTE painopisteiden ja hyvinvointitavoitteiden edistämiseksi suosimme",
    )
    numerals = ["I", "II", "III", "IV", "V", "VI", "VII"]
    parts = re.split(r"(?:^|\s)(I|II|III|IV|V|VI|VII)\. ", block)
    assert parts[0].strip() == ""
    seed_areas = list(zip(parts[1::2], (normalise(p) for p in parts[2::2]), strict=True))
    assert [numeral for numeral, _ in seed_areas] == numerals

    question = survey.question("methods")
    ours = [(a.numeral, a.label) for a in question.areas]
    ours.append(("VII", question.none_option.label))
    assert ours == seed_areas


def test_methods_guidance_is_the_seeds_paragraph(
    survey: Survey, seed_texts: tuple[str, str]
) -> None:
    guidance = survey.question("methods").guidance
    assert guidance.startswith("HYTE painopisteiden ja hyvinvointitavoitteiden edistämiseksi")
    assert guidance.endswith("mieluiten liittää tähän mukaan myös vaikuttavuustiedon keruu.")
    assert in_seed(guidance, seed_texts)


# --- a broken survey file ----------------------------------------------------------------------


def _write_broken(tmp_path: Path, break_it) -> Path:
    data = yaml.safe_load(SURVEY_FILE.read_text(encoding="utf-8"))
    break_it(data)
    path = tmp_path / "survey.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_unbroken_copy_loads(tmp_path: Path) -> None:
    path = _write_broken(tmp_path, lambda data: None)
    assert load_survey(path) == load_survey(SURVEY_FILE)


def test_duplicate_option_id_is_reported_with_file_and_field(tmp_path: Path) -> None:
    def duplicate(data: dict) -> None:
        options = data["sections"][0]["questions"][0]["options"]
        options[1]["id"] = options[0]["id"]

    path = _write_broken(tmp_path, duplicate)
    with pytest.raises(ConfigurationError) as caught:
        load_survey(path)
    message = str(caught.value)
    assert str(path) in message
    assert "sections.0.questions.0" in message
    assert "duplicate id 'very_well'" in message


def test_unknown_question_type_is_reported_with_file_and_field(tmp_path: Path) -> None:
    def unknown_type(data: dict) -> None:
        data["sections"][1]["questions"][1]["type"] = "ranking"

    path = _write_broken(tmp_path, unknown_type)
    with pytest.raises(ConfigurationError) as caught:
        load_survey(path)
    message = str(caught.value)
    assert str(path) in message
    assert "sections.1.questions.1" in message
    assert "'type'" in message
    assert "ranking" in message


def test_missing_field_is_reported_with_file_and_field(tmp_path: Path) -> None:
    def missing(data: dict) -> None:
        del data["sections"][1]["questions"][0]["min_label"]

    path = _write_broken(tmp_path, missing)
    with pytest.raises(ConfigurationError) as caught:
        load_survey(path)
    message = str(caught.value)
    assert str(path) in message
    assert "sections.1.questions.0.scale.min_label" in message
    assert "Field required" in message


def test_missing_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigurationError, match="file not found") as caught:
        load_survey(path)
    assert str(path) in str(caught.value)
