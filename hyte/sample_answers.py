"""Generated, plausible answers to a round's survey: the demo's last year (`python app.py demo-data`)
and the benchmarks. Deterministic: the same round and seed give the same answers.

Each seed leans its own way (which options are favoured, which goals are pushed, which phrases are
topical), so two years generated with two seeds differ as two real years would: distributions
shift, goals move in the ranking, some free-text themes recur and others are new or dropped. Not
every organisation answers (`share`). The texts are short Finnish sentences in the words of the
HYTE field, so that the themes found in them are the county thesaurus's (config/*/thesaurus.yaml).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from hyte.responses import Actor, Change, ChangeAction, ResponseKey, ResponseRepository
from hyte.round import Round
from hyte.survey import MethodsQuestion, MultiChoiceQuestion, ScaleQuestion, SingleChoiceQuestion, TextQuestion

PHRASES: tuple[str, ...] = (
    "Järjestöavustukset ovat tärkeä tuki paikalliselle toiminnalle.",
    "Yhteiset tapahtumat ja hyvinvointipäivät tuovat toimijat yhteen.",
    "Järjestöfoorumi kokoaa järjestöt ja kunnan samaan pöytään.",
    "Vapaaehtoistoiminta tarvitsee koordinointia ja koulutusta.",
    "Vertaistukiryhmät auttavat perheitä arjessa.",
    "Kohtaamispaikat ja olohuoneet vähentävät yksinäisyyttä.",
    "Maksuttomat tilat järjestöjen käyttöön kouluilta.",
    "Roolit ja vastuut pitää sopia selvästi kunnan ja hyvinvointialueen kesken.",
    "Yhdyspintasopimus ohjaa yhteistyötä, mutta se pitää jalkauttaa.",
    "Säännölliset tapaamiset ja yhteinen vuosikello helpottavat suunnittelua.",
    "Työryhmät ja verkostot kokoavat osaamisen yhteen.",
    "Rahoitus ja resurssit ratkaisevat, mitä voidaan tehdä.",
    "HYTE-koordinaattorit tarvitaan jokaiseen kuntaan.",
    "Kuntakierrokset tuovat hyvinvointialueen lähelle kuntia.",
    "Palveluohjaus järjestöjen toimintaan pitää tehdä helpommaksi.",
    "Koulut ja oppilaitokset ovat tärkeitä kumppaneita nuorten hyvinvoinnissa.",
    "Yhteiset koulutukset vahvistavat osaamista.",
    "Osallisuus ja asukkaiden kuuleminen pitää näkyä päätöksenteossa.",
    "Lapset, nuoret ja perheet tarvitsevat matalan kynnyksen tukea.",
    "Ikäihmisten toimintakyky ja liikkuminen ovat keskeisiä.",
    "Työikäisten työkyky jää helposti vähälle huomiolle.",
    "Viestintä ja tiedottaminen järjestöille pitää parantaa.",
    "Yhteyshenkilöt jokaisessa organisaatiossa sujuvoittavat yhteistyötä.",
    "Tasavertainen kumppanuus järjestöjen kanssa.",
)
"""For every free-text question: the HYTE field's common points."""

MONITORING_PHRASES: tuple[str, ...] = (
    "Kuntakohtaiset tiedot ja vertailu kuntien välillä.",
    "Mittarit ja indikaattorit pitää valita tavoitteiden mukaan.",
    "Aikasarjat näyttävät muutoksen vuosien välillä.",
    "Sähköinen raportti olisi helpompi käyttää.",
    "Tiivistelmä päättäjille raportin alkuun.",
    "Selkokieli ja kuviot parantavat luettavuutta.",
    "Asukkaiden kokemustieto mukaan raporttiin.",
    "Raportin esittely valtuustoille ja lautakunnille.",
    "Johtopäätökset ja suositukset pitää kirjoittaa selvästi.",
    "Tilastot ja rekisteritiedot yhdestä paikasta.",
)
"""For questions on the annual wellbeing report (monitoring)."""

METHODS: tuple[str, ...] = (
    "Lapset puheeksi -menetelmä", "Ihmeelliset vuodet", "Liikkuva koulu", "Ehkäisevä päihdetyö EHYT",
    "Kotikuntoutus", "Perhekeskustoiminta", "Nuorten osallisuusryhmä", "Senioriliikunnan vertaisohjaajat",
    "Turvallisuuskävely", "Yhteinen HYTE-vuosikello",
)


def _weights(rng: random.Random, count: int, skew: float = 2.0) -> list[float]:
    """A leaning over `count` choices: some favoured, some seldom chosen."""
    return [0.05 + rng.random() ** skew for _ in range(count)]


def _phrases(question: TextQuestion) -> tuple[str, ...]:
    text = question.text.casefold()
    return MONITORING_PHRASES if "raport" in text else PHRASES


def sample_answers(round_: Round, seed: int, *, share: float = 0.75) -> dict[str, dict[str, Any]]:
    """Submitted answers by organisation id: about `share` of the round's organisations, every
    question answered as the survey's validation accepts it."""
    rng = random.Random(seed)
    questions = round_.survey.questions
    leaning: dict[str, Any] = {}
    for question in questions:
        match question:
            case SingleChoiceQuestion() | MultiChoiceQuestion():
                leaning[question.id] = _weights(rng, len(question.options))
            case ScaleQuestion():
                leaning[question.id] = _weights(rng, question.max - question.min + 1, 1.0)
            case TextQuestion():
                pool = _phrases(question)
                leaning[question.id] = rng.sample(pool, k=min(len(pool), max(4, len(pool) // 2)))
    organisations = [o for o in round_.config.organisations if rng.random() < share]
    answers: dict[str, dict[str, Any]] = {}
    for organisation in organisations:
        given: dict[str, Any] = {}
        for question in questions:
            match question:
                case SingleChoiceQuestion():
                    given[question.id] = rng.choices(question.options, weights=leaning[question.id])[0].id
                case ScaleQuestion():
                    values = list(range(question.min, question.max + 1))
                    given[question.id] = rng.choices(values, weights=leaning[question.id])[0]
                case MultiChoiceQuestion():
                    given[question.id] = _goals(question, leaning[question.id], rng)
                case MethodsQuestion():
                    given[question.id] = _methods(question, rng)
                case TextQuestion():
                    picked = rng.sample(leaning[question.id], k=rng.choice((1, 1, 2)))
                    given[question.id] = " ".join(picked)[: question.max_length]
        answers[organisation.id] = given
    return answers


def _goals(question: MultiChoiceQuestion, weights: list[float], rng: random.Random) -> dict[str, Any]:
    plain = [(o, w) for o, w in zip(question.options, weights) if not o.exclusive and not o.needs_text]
    chosen: list[str] = []
    for _ in range(rng.randint(2, 4)):
        option = rng.choices([o for o, _ in plain], weights=[w for _, w in plain])[0]
        if option.id not in chosen:
            chosen.append(option.id)
    order = {o.id: i for i, o in enumerate(question.options)}
    return {"selected": sorted(chosen, key=order.__getitem__), "other": None}


def _methods(question: MethodsQuestion, rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.3:
        return {"none": True, "areas": {}}
    levels = [level.value for level in question.evidence_levels] or [None]
    areas = {}
    for area in rng.sample(list(question.areas), k=rng.randint(1, 2)):
        areas[area.id] = {"name": rng.choice(METHODS), "description": None, "level": rng.choice(levels)}
    return {"none": False, "areas": areas}


async def write_sample_answers(responses: ResponseRepository, round_: Round, seed: int) -> int:
    """Generated answers saved and submitted, as the survey flow stores them, in the days before the
    survey closed; nothing when the round has any response stored. Returns how many were written."""
    if await responses.list_for_round(round_.tenant_id, round_.id):
        return 0
    generated = sample_answers(round_, seed)
    start = round_.timetable.survey_closes - timedelta(days=len(generated))
    for index, (organisation, answers) in enumerate(generated.items()):
        key = ResponseKey(round_.tenant_id, round_.id, organisation)
        actor = Actor(f"demo-{organisation}", "Esimerkkivastaaja")
        at = start + timedelta(days=index, hours=index % 7)
        await responses.apply(key, Change(answers, 0, ChangeAction.SAVE, tuple(answers)), actor, at)
        await responses.apply(key, Change(answers, 1, ChangeAction.SUBMIT, tuple(answers)), actor,
                              at + timedelta(minutes=20))
    return len(generated)
