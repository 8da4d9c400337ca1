"""A complete, valid response to the demo survey as card inputs, section by section: what a
representative types (shared by the scenario tests and the load benchmark)."""

from __future__ import annotations

ANSWERS: dict[str, dict[str, str]] = {
    "goals_measures": {
        "q.goals_progress": "need_more_effort",
        "q.hyte_effectiveness": "Yhteiset tavoitteet kuntien ja järjestöjen kanssa.",
        "q.goals_to_strengthen": "g03,g14,other",
        "q.goals_to_strengthen.other": "Ikäihmisten digituki",
        "q.organisation_actions": "Järjestöfoorumi kahdesti vuodessa.",
    },
    "monitoring": {"q.annual_report_scale": "4", "q.annual_report_development": "Kuntakohtaiset tiedot."},
    "methods": {
        "q.methods.area_1.name": "Nuorten osallisuusryhmä",
        "q.methods.area_1.description": "Nuoret suunnittelevat vapaa-ajan toimintaa.",
        "q.methods.area_1.level": "good_practice",
    },
    "ngo_cooperation": {
        "q.ngo_good_practices": "Järjestöavustukset ja yhteiset tapahtumat.",
        "q.ngo_at_its_best": "Sujuvaa kolmikantaista yhteistyötä.",
        "q.ngo_discussion_needs": "Tilojen käyttö.",
    },
    "interfaces": {
        "q.interfaces_strategy_goal": "Yhteiset tavoitteet ja selkeät roolit.",
        "q.partners_found": "yes",
        "q.roles_clear": "cannot_say",
        "q.more_cooperation": "Koulujen kanssa mielenterveystyössä.",
    },
}
