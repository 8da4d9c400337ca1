"""Every text a Teams user reads, by language. Finnish now; add "sv" or "en" beside it.

`t(key, **params)` formats a message; a missing key is a KeyError in tests, not a blank card.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

DEFAULT_LANGUAGE = "fi"
HELSINKI = ZoneInfo("Europe/Helsinki")

MESSAGES: dict[str, dict[str, str]] = {
    "fi": {
        # Greetings and roles
        "greeting.representative": "Hei {name}! Edustat HYTE-neuvottelukunnassa organisaatiota **{organisation}** ({role}).",
        "greeting.team": "Hei {name}! Olet HYTE-tiimin jäsen kierroksella {round}.",
        "greeting.stranger": (
            "Hei! Tämä botti on HYTE-neuvottelukunnan edustajille ja HYTE-tiimille ({county}). "
            "Et ole tämän neuvottelukierroksen edustajien joukossa, joten kysely ei ole sinulle. "
            "Jos sinun kuuluisi vastata organisaatiosi puolesta, ota yhteyttä HYTE-tiimiin."
        ),
        "role.member": "varsinainen jäsen",
        "role.deputy": "varajäsen",
        "greeting.survey_intro": (
            "Vastaa ennakkokyselyyn organisaatiosi puolesta. Käy aineisto ensin läpi oman "
            "organisaatiosi väen kanssa. Voit tallentaa luonnoksen ja jatkaa myöhemmin; "
            "jäsen ja varajäsen näkevät saman vastauksen."
        ),
        # Response state
        "state.label": "Tila",
        "state.not_started": "Ei aloitettu",
        "state.draft": "Luonnos, viimeksi tallennettu {at} ({by})",
        "state.submitted": "Lähetetty {at} ({by})",
        "state.submitted_with_changes": "Lähetetty {at} ({by}); sen jälkeen tehtyjä muutoksia ei ole lähetetty",
        "deadline.open": "Vastausaika päättyy {at}.",
        "deadline.not_yet_open": "Kysely avautuu {at}.",
        "deadline.closed": "Kysely sulkeutui {at}.",
        "status.title": "Organisaatiosi vastaus: {organisation}",
        # Survey cards
        "survey.section_progress": "Osio {index}/{count}",
        "survey.required_mark": " *",
        "survey.required_legend": "Tähdellä (*) merkityt kysymykset ovat pakollisia.",
        "survey.scale_point": "{value}",
        "survey.scale_point_min": "{value} – {label}",
        "survey.scale_point_max": "{value} – {label}",
        "survey.other_text_label": "{option}: kirjoita tähän",
        "survey.methods_none_toggle": "VII. {label}",
        "survey.method_name": "{numeral}: menetelmän, käytännön tai pilotin nimi",
        "survey.method_description": "{numeral}: lyhyt kuvaus",
        "survey.method_level": "{numeral}: näytön taso",
        "survey.method_level_placeholder": "Valitse näytön taso",
        "survey.text_placeholder": "Kirjoita vastauksenne (enintään {max} merkkiä)",
        "survey.review_title": "Tarkista vastaukset ennen lähettämistä",
        "survey.review_empty": "(ei vastausta)",
        "survey.review_shortened": " … (lyhennetty; koko vastaus näkyy osiossa)",
        "survey.review_other": "Jokin muu: {text}",
        "survey.review_method": "{numeral}. {area}: {name} ({level})",
        "survey.review_method_description": "Kuvaus: {description}",
        "survey.review_methods_none": "VII. {label}",
        "survey.submitted_title": "Kiitos! Organisaationne vastaus on lähetetty.",
        "survey.submitted_again_title": "Vastaus on lähetetty.",
        "survey.submitted_by": "Lähetetty {at}, lähettäjä {by}.",
        "survey.edit_until": "Voitte muokata ja lähettää vastauksen uudelleen {at} asti.",
        "survey.closed_title": "Kysely on suljettu",
        "survey.closed_body": "Ennakkokysely sulkeutui {at}. Vastauksia ei voi enää muuttaa.",
        "survey.not_yet_open_title": "Kysely ei ole vielä auki",
        "survey.not_yet_open_body": "Ennakkokysely avautuu {at}.",
        "survey.stale_round": "Tämä kortti kuuluu toiseen neuvottelukierrokseen. Kirjoita kysely avataksesi nykyisen kyselyn.",
        # Notices on cards
        "notice.draft_saved": "Luonnos tallennettu {at}.",
        "notice.resumed": "Jatkat siitä, mihin jäit. Viimeisin muutos {at} ({by}).",
        "notice.started_by_others": "Organisaationne vastaus on jo aloitettu. Viimeisin muutos {at} ({by}).",
        "notice.conflict": (
            "{by} muutti vastausta {at}, sen jälkeen kun tämä kortti avattiin. Alla ovat nyt tallennetut "
            "vastaukset: tarkista ne ja tee muutoksesi uudelleen."
        ),
        "notice.fix_errors": "Tarkista punaisella merkityt kohdat. Tämän osion muutoksia ei tallennettu.",
        "notice.editing_submitted": (
            "Vastaus on jo lähetetty. Jos muutat sitä, lähetä se uudelleen, jotta muutokset tulevat yhteenvetoon."
        ),
        "notice.fix_sections": "Kaikkia pakollisia kohtia ei ole täytetty. Korjaa merkityt osiot ennen lähettämistä.",
        # Buttons
        "action.start": "Aloita kysely",
        "action.resume": "Jatka kyselyä",
        "action.show_submitted": "Näytä lähetetty vastaus",
        "action.back": "Edellinen",
        "action.save": "Tallenna luonnos",
        "action.next": "Seuraava",
        "action.review": "Tarkista vastaukset",
        "action.submit": "Lähetä vastaukset",
        "action.edit": "Muokkaa vastauksia",
        "action.edit_section": "Muokkaa osiota",
        # Validation errors
        "error.required": "Tämä kysymys on pakollinen.",
        "error.not_an_option": "Valinta ei ole kysymyksen vaihtoehto.",
        "error.out_of_range": "Valitse arvo väliltä {min}–{max}.",
        "error.too_long": "Vastaus on liian pitkä: enintään {max} merkkiä.",
        "error.wrong_type": "Vastaus ei ole oikeassa muodossa.",
        "error.other_text_required": "Kirjoita tekstikenttään, mitä tarkoitat vaihtoehdolla \"{option}\".",
        "error.other_text_without_other": "Teksti kirjoitetaan vain, jos valitset vaihtoehdon \"Jokin muu, mikä\".",
        "error.exclusive_combined": "\"{option}\" ei voi olla valittuna yhdessä muiden vaihtoehtojen kanssa.",
        "error.method_name_required": "Painopiste {area}: anna menetelmän nimi.",
        "error.method_level_required": "Painopiste {area}: valitse näytön taso.",
        "error.methods_none_combined": "Valitse joko menetelmiä tai \"{option}\", ei molempia.",
        "error.section_has_errors": "Osiossa on korjattavaa.",
        # Commands and general
        "help.title": "Näin käytät HYTE-bottia",
        "help.command": "**{name}** ({alias}): {description}",
        "help.team_only": " (vain HYTE-tiimi)",
        "command.help": "näyttää tämän ohjeen",
        "command.survey": "avaa organisaatiosi ennakkokyselyn tai jatkaa keskeneräistä",
        "command.status": "kertoo organisaatiosi vastauksen tilan ja määräajan",
        "unknown_command": "En tunnistanut komentoa \"{text}\". Kirjoita **ohje**, niin näet komennot.",
        "not_for_you": "Tämä toiminto on HYTE-neuvottelukunnan edustajille. Kirjoita **ohje**, niin näet mitä voit tehdä.",
        "team_only": "Tämä komento on vain HYTE-tiimin käytössä.",
        "personal_only": "Ennakkokyselyyn vastataan henkilökohtaisessa keskustelussa botin kanssa.",
        "card_not_understood": "Kortin tietoja ei voitu lukea. Kirjoita kysely avataksesi kyselyn uudelleen.",
        "error.generic": "Jokin meni vikaan, eikä pyyntöäsi käsitelty. Yritä hetken kuluttua uudelleen.",
        "datetime": "{date} klo {time}",
    }
}


def t(key: str, language: str = DEFAULT_LANGUAGE, **params: object) -> str:
    return MESSAGES[language][key].format(**params)


def format_datetime(value: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """A Finnish date and time in Helsinki time: "15.5.2024 klo 16.00"."""
    local = value.astimezone(HELSINKI)
    return t("datetime", language, date=f"{local.day}.{local.month}.{local.year}", time=f"{local:%H.%M}")
