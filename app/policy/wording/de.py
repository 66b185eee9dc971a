"""German wording of every phrase the engine returns (the same codes as en.py; a test checks none is missing)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Wording

P = Mapping[str, Any]
VERDICT = {"used": "genutzt", "not_used": "nicht genutzt", "conditional": "abhängig", "unknown": "unbekannt"}
TREATMENT = {
    "used": "werden genutzt",
    "not_used": "werden nicht genutzt",
    "opt_in": "werden nicht genutzt",
    "unknown": "sind unbekannt",
}
USE_LABEL = {"platform": "Training durch die Plattform", "third-parties": "Training durch Dritte"}
# The query parameters a conditional answer can depend on, as German readers know them.
DEPENDS = {
    "country": "Land",
    "age": "Alter",
    "objected": "Widerspruch",
    "objected_on": "Tag des Widerspruchs",
    "posted_on": "Tag der Veröffentlichung",
    "opted_in": "Einwilligung",
    "opted_in_on": "Tag der Einwilligung",
}
CATEGORY = {
    "public-posts": "öffentliche Beiträge",
    "public-comments": "öffentliche Kommentare",
    "public-media": "öffentliche Fotos und Videos",
    "profile-info": "Profilangaben",
    "private-content": "private Inhalte",
    "private-messages": "private Nachrichten",
    "group-content": "Inhalte in Gruppen",
    "ai-interactions": "Chats mit dem KI-Assistenten",
    "usage-data": "Nutzungsdaten",
}
MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


def _d(day: date | str | None) -> str:
    """Write a day as German readers do: 26. Mai 2025."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    if day is None:
        return ""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def _by_country(p: P, w: Wording) -> str:
    parts = []
    for names, verdict, depends_on in p["parts"]:
        what = f"abhängig von {', '.join(DEPENDS.get(d, d) for d in depends_on)}" if depends_on else VERDICT[verdict]
        named = [n for n in names if n is not None]
        if None in names:
            named.append("anderswo")
        parts.append(f"{', '.join(named)}: {what}")
    return "; ".join(parts)


def _no_rule(p: P, w: Wording) -> str:
    category = CATEGORY.get(p["category_id"], p["category"])
    return f"keine bestätigte Regel für {category} auf {p['platform']} in {p['where']} am {_d(p['day'])}"


def _rule(p: P, w: Wording) -> str:
    span = f"in Kraft ab {_d(p['effective_from'])}" if p["effective_from"] else "durchgehend in Kraft"
    if p["effective_until"]:
        span += f" bis {_d(p['effective_until'])}"
    posted = f", für Inhalte, die {w(p['window'])} veröffentlicht wurden" if p["window"] is not None else ""
    via = f" für {p['via']}" if p["via"] else ""
    return f"Regel {p['rule']} ({p['jurisdiction']}, {span}{posted}) gilt am {_d(p['day'])}{via}: {w(p['summary'])}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _clause(text: str) -> str:
    """Set off a subordinate clause ("bevor die Regel ... in Kraft trat") with commas, as German requires."""
    return f", {text}," if text.startswith("bevor ") else f" {text}"


def _ein_widerspruch(p: P) -> str:
    return "ein Widerspruch" if p["any"] else "ein späterer Widerspruch"


def _late_head(p: P, w: Wording) -> str:
    # Ohne Grenze: Die Regel beginnt erst am ersten Tag, den ihre Quellen bestätigen; kein Tag macht einen
    # Widerspruch verspätet.
    return f"Sie haben am {_d(p['day'])} widersprochen" + (f", nach {w(p['limit'])}" if p["limit"] else "")


def _covers_later(p: P, w: Wording) -> str:
    covered = ""
    if p["posted_on"] is not None:
        covered = f"; Inhalte vom {_d(p['posted_on'])} sind {'' if p['covered'] else 'nicht '}erfasst"
    if not p["limit"]:  # no "nach ..." clause for "er" and "daher" to lean on
        return (
            f"{_late_head(p, w)}; Ihr Widerspruch erfasst nur Inhalte, die ab dem {_d(p['day'])} veröffentlicht "
            f"wurden{covered}."
        )
    return (
        f"{_late_head(p, w)}, daher erfasst er nur Inhalte, die ab dem {_d(p['day'])} veröffentlicht wurden{covered}."
    )


def _minors_excluded(p: P, w: Wording) -> str:
    age, min_age = p["age"], p["min_age"]
    if age is None:
        tail = (
            ", daher hängt die Antwort vom Alter der Kontoinhaberin oder des Kontoinhabers ab"
            if p["age_decides"]
            else ""
        )
    elif age < min_age:
        tail = f", und mit {age} Jahren werden Ihre Inhalte nicht genutzt"
    else:
        tail = f"; mit {age} Jahren gilt das nicht"
    return f"Konten unter {min_age} Jahren sind ausgenommen{tail}."


def _objected_undated(p: P, w: Wording) -> str:
    return "Sie haben widersprochen; " + (
        "der Tag entscheidet, was der Widerspruch erfasst." if p["day_decides"] else "der Tag spielt keine Rolle."
    )


FINDING = {
    "changed": "hat sich geändert",
    "quote-missing": "enthält die zitierte Stelle nicht mehr",
    "moved": "ist an eine andere Adresse umgezogen",
    "gone": "ist nicht mehr erreichbar",
}


def _stale_finding(p: P, w: Wording) -> str:
    since = f" seit der letzten Prüfung der Regel am {_d(p['reviewed_on'])}" if p["reviewed_on"] else ""
    return (
        f"Diese Antwort ist womöglich veraltet: Quelle {p['source']} der Regel {p['rule']} "
        f"{FINDING[p['outcome']]} (geprüft am {_d(p['checked_on'])}){since}."
    )


CATALOG = {
    "reason.stale.finding": _stale_finding,
    "reason.stale.review_old": lambda p, w: (
        f"Diese Antwort ist womöglich veraltet: Regel {p['rule']} wurde zuletzt "
        f"am {_d(p['reviewed_on'])} geprüft, vor mehr als {p['max_days']} Tagen."
    ),
    "reason.opted_in": lambda p, w: "Sie haben es eingeschaltet" + (f", am {_d(p['day'])}" if p["day"] else "") + ".",
    "reason.not_opted_in": lambda p, w: "Sie haben es nicht eingeschaltet.",
    "reason.not_opted_in.unknown": lambda p, w: (
        "Sie haben es nicht eingeschaltet, und die Quellen sprechen nur von Nutzern, die es eingeschaltet haben."
    ),
    "summary.not_opted_in.unknown": lambda p, w: (
        f"Unbekannt: Sie haben es erst am {_d(p['day'])} eingeschaltet, nach dem gefragten Tag, und die Quellen "
        "sprechen nur von Nutzern, die es eingeschaltet hatten."
        if p["day"]
        else "Unbekannt: Sie haben es nicht eingeschaltet, und die Quellen sprechen nur von Nutzern, die es "
        "eingeschaltet haben."
    ),
    "summary.opted_in": lambda p, w: (
        "Genutzt: Sie haben es eingeschaltet" + (f", am {_d(p['day'])}." if p["day"] else ".")
    ),
    # Pieces of sentences.
    "in_time.deadline": lambda p, w: f"bis zum {_d(p['day'])}",
    "in_time.effective": lambda p, w: f"bevor die Regel am {_d(p['day'])} in Kraft trat",
    "limit.deadline": lambda p, w: f"der Frist am {_d(p['day'])}",
    "limit.effective": lambda p, w: f"dem Inkrafttreten der Regel am {_d(p['day'])}",
    "limit.effective_undated": lambda p, w: "dem Inkrafttreten der Regel",
    "late.covers_later_posts": lambda p, w: (
        f"{_ein_widerspruch(p)} erfasst nur Inhalte, die ab dem Tag des Widerspruchs veröffentlicht wurden"
    ),
    "late.stops_future_training": lambda p, w: (
        f"{_ein_widerspruch(p)} stoppt künftiges Training, bereits "
        "erfolgtes Training wird aber nicht rückgängig gemacht"
    ),
    "late.no_effect": lambda p, w: f"{_ein_widerspruch(p)} ändert nichts",
    "late.unknown": lambda p, w: f"die Quellen sagen nicht, was {_ein_widerspruch(p)} erfasst",
    "window.between": lambda p, w: f"vom {_d(p['start'])} bis zum {_d(p['end'])}",
    "window.from": lambda p, w: f"ab dem {_d(p['start'])}",
    "window.until": lambda p, w: f"bis zum {_d(p['end'])}",
    "by_country": _by_country,
    "no_rule": _no_rule,
    "day": lambda p, w: _d(p["day"]),  # a day inside a sentence
    "rule.summary": lambda p, w: w.rule_summary(p["rule"], p["text"]),
    "note": lambda p, w: p["text"],
    # Reasons.
    "reason.by_country": lambda p, w: (
        f"Ohne Land gilt diese Antwort für GLOBAL, aber am {_d(p['day'])} "
        f"unterscheiden sich die Regeln je nach Land: {w(p['by_country'])}."
    ),
    "reason.no_rule": lambda p, w: f"Es gibt {w(p['no_rule'])}.",
    "reason.rule": _rule,
    "reason.outside_window": lambda p, w: (
        f"Inhalte vom {_d(p['posted_on'])} liegen außerhalb der Regel "
        f"{p['rule']}, die nur Inhalte erfasst, die {w(p['window'])} "
        f"veröffentlicht wurden."
    ),
    "reason.disputed": lambda p, w: (
        "Die Quellen bestreiten dies oder bestätigen es nicht, daher ist die Antwort unbekannt."
    ),
    "reason.opt_in_default_off": lambda p, w: (
        "Inhalte werden genutzt, wenn Sie dies eingeschaltet haben; standardmäßig ist es aus, und die Quellen sagen "
        "nicht, was genutzt wird, solange es aus ist."
        if p["unknown_off"]
        else "Inhalte werden nur genutzt, wenn Sie dies eingeschaltet haben; standardmäßig ist es aus."
    ),
    "reason.no_opt_out": lambda p, w: (
        f"In {p['jurisdiction']} gibt es keinen Widerspruch dagegen"
        f"{', daher ändert ein Widerspruch nichts' if p['objected'] else ''}."
    ),
    "reason.opt_out_ineffective": lambda p, w: (
        f"Der Widerspruch ({p['method']}) stoppt diese Nutzung nicht"
        f"{', daher ändert ein Widerspruch nichts' if p['objected'] else ''}."
    ),
    "reason.opt_out": lambda p, w: (
        f"Die Inhalte werden genutzt, außer Sie widersprechen ({p['method']}{': ' + p['url'] if p['url'] else ''})."
    ),
    "reason.in_time_keeps_out": lambda p, w: (
        f"Ein Widerspruch{_clause(w(p['in_time']))} hält alle Ihre Inhalte heraus"
        + (f"; diese Frist lief vor dem {_d(p['passed_before'])} ab." if p["passed_before"] else ".")
    ),
    "reason.start_unconfirmed": lambda p, w: (
        f"Die Quellen zeigen nicht, dass ein Widerspruch vor dem {_d(p['day'])}, an dem diese Regel beginnt, alle Ihre "
        "Inhalte heraushielt: Er zählt wie ein späterer."
    ),
    "reason.late": lambda p, w: _capitalised(w(p["late"])) + ".",
    "reason.objection_not_yet": lambda p, w: (
        f"Ihr Widerspruch vom {_d(p['objected_on'])} war am {_d(p['day'])} "
        f"noch nicht erfolgt und zählt für diesen Tag daher nicht."
    ),
    "reason.not_objected": lambda p, w: "Sie haben nicht widersprochen.",
    "reason.objected_undated": _objected_undated,
    "reason.objected_in_time": lambda p, w: (
        f"Sie haben am {_d(p['day'])} widersprochen, {w(p['in_time'])}, daher werden keine Ihrer Inhalte genutzt."
    ),
    "reason.objected_late.stops_future_training": lambda p, w: (
        f"{_late_head(p, w)}: Das Training stoppt ab dann, "
        f"bereits erfolgtes Training wird aber nicht "
        f"rückgängig gemacht."
    ),
    "reason.objected_late.no_effect": lambda p, w: (
        f"{_late_head(p, w)}, und {'ein später Widerspruch' if p['limit'] else 'Ihr Widerspruch'} ändert hier nichts."
    ),
    "reason.objected_late.unknown": lambda p, w: (
        f"{_late_head(p, w)}, und die Quellen sagen nicht, was "
        f"{'ein später Widerspruch' if p['limit'] else 'Ihr Widerspruch'} hier erfasst."
    ),
    "reason.objected_late.covers_later_posts": _covers_later,
    "reason.adults_only": lambda p, w: (
        f"Die Quellen sprechen nur von Konten ab {p['min_age']} Jahren"
        + (
            f"; für eine Kontoinhaberin oder einen Kontoinhaber mit {p['age']} Jahren ist nichts bestätigt"
            if p["age"] is not None
            else ""
        )
        + "."
    ),
    "reason.minors_excluded": _minors_excluded,
    # Summaries.
    "summary.no_rule": lambda p, w: f"Unbekannt: {w(p['no_rule'])}.",
    "summary.adults_only": lambda p, w: f"Unbekannt: Die Quellen sprechen nur von Konten ab {p['min_age']} Jahren.",
    "summary.minors_excluded": lambda p, w: f"Nicht genutzt: Konten unter {p['min_age']} Jahren sind ausgenommen.",
    "summary.unknown": lambda p, w: f"Unbekannt: {w(p['summary'])}",
    "summary.late_changes_nothing": lambda p, w: (
        "Weiterhin genutzt: Ein Widerspruch" + (f" nach {w(p['limit'])}" if p["limit"] else "") + " ändert nichts."
    ),
    "summary.objected": lambda p, w: (
        "Nicht genutzt: Sie haben widersprochen"
        + ("; bereits erfolgtes Training wird nicht rückgängig gemacht." if p["undone"] else ".")
    ),
    "summary.objected_in_time": lambda p, w: (
        f"Nicht genutzt: Sie haben am {_d(p['day'])} widersprochen, {w(p['in_time'])}."
    ),
    "summary.objected_late.stops_future_training": lambda p, w: (
        f"Ab Ihrem Widerspruch am {_d(p['day'])} nicht "
        f"mehr genutzt; bereits erfolgtes Training wird nicht "
        f"rückgängig gemacht."
    ),
    "summary.objected_late.unknown": lambda p, w: (
        f"Unbekannt: Ihr Widerspruch vom {_d(p['day'])} kam nach {w(p['limit'])}, und die Quellen sagen nicht, was er "
        "erfasst."
        if p["limit"]
        else "Unbekannt: Die Quellen sagen nicht, was Ihr Widerspruch"
        + (f" vom {_d(p['day'])}" if p["day"] else "")
        + " erfasst."
    ),
    "summary.objection_covers_newer": lambda p, w: (
        f"Nicht genutzt: Ihr Widerspruch vom {_d(p['day'])} erfasst Inhalte, die ab diesem Tag veröffentlicht wurden."
    ),
    "summary.objected_late.covers_later_posts": lambda p, w: (
        f"Weiterhin genutzt: Ihr Widerspruch vom {_d(p['day'])}"
        + (f" kam nach {w(p['limit'])} und" if p["limit"] else "")
        + " erfasst nur Inhalte, die ab diesem Tag veröffentlicht wurden."
    ),
    "summary.by_country": lambda p, w: f"Hängt von Ihrem Land ab: {w(p['by_country'])}.",
    "summary.clauses": lambda p, w: "; ".join(w(c) for c in p["clauses"]) + ".",
    "clause.depends_on_posting_day": lambda p, w: "Hängt davon ab, wann der Inhalt veröffentlicht wurde",
    "clause.unless_objected": lambda p, w: (
        "Genutzt, außer Sie haben widersprochen" + (f" ({w(p['in_time'])})" if p["in_time"] else "")
    ),
    "clause.rule_summary": lambda p, w: w(p["summary"]).rstrip("."),
    "clause.window": lambda p, w: (
        f"Inhalte, die {w(p['window'])} veröffentlicht wurden, "
        + TREATMENT.get(p["treatment"], f"fallen unter Regel {p['rule']}")
    ),
    "clause.minors_excluded": lambda p, w: f"Konten unter {p['min_age']} Jahren sind ausgenommen",
    "clause.minors_unconfirmed": lambda p, w: f"für Konten unter {p['min_age']} Jahren unbekannt",
    # Answers combining the platform's own training with third parties'.
    "by_use.summary": lambda p, w: " ".join(f"{USE_LABEL[use]}: {_sentence(w(s))}" for use, s in p["parts"]),
    "by_use.reason": lambda p, w: f"{USE_LABEL[p['use']]}: {w(p['reason'])}",
}
