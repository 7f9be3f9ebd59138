"""The digest's words in German (the default) and English, and how each language writes dates.

Templates get one ``Labels`` object and never spell a word themselves, so a language is one
more instance here, and a label missing in one language is a TypeError at import, not a gap in
a sent mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reports.weeks import IsoWeek


@dataclass(frozen=True)
class Labels:
    code: str
    story_one: str
    story_many: str
    article_one: str
    article_many: str
    outlet_one: str
    outlet_many: str
    week_short: str  # "KW 3/2026"
    week_long: str  # "Kalenderwoche 3/2026"
    top_stories: str
    more_articles: str
    also_reported_by: str
    why: str
    change_vs_previous: str
    no_previous: str
    daily_volume: str
    chart_alt: str
    source_health: str
    failing: str  # {count}, {error}
    silent: str  # {previous}
    no_coverage: str
    no_coverage_subject: str
    open_in_review: str
    story_in_review: str
    footer: str
    similarity: str  # the scorer's "similarity to reference documents"
    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    thousands: str

    def count(self, number: int, one: str, many: str) -> str:
        """``12 Geschichten``, ``1 story``."""
        return f"{self.number(number)} {one if number == 1 else many}"

    def number(self, number: int) -> str:
        return f"{number:,}".replace(",", self.thousands)

    def day(self, day: date) -> str:
        """Short weekday and date: ``Di., 13.01.`` / ``Tue 13 Jan``."""
        weekday = self.weekdays[day.weekday()]
        if self.code == "de":
            return f"{weekday}, {day.day:02d}.{day.month:02d}."
        return f"{weekday} {day.day} {self.months[day.month - 1][:3]}"

    def weekday_and_day(self, day: date) -> str:
        """The chart's bar labels: ``Mo. 12.`` / ``Mon 12``."""
        suffix = "." if self.code == "de" else ""
        return f"{self.weekdays[day.weekday()]} {day.day}{suffix}"

    def period(self, week: IsoWeek) -> str:
        """The week's days: ``12.–18. Januar 2026`` / ``12–18 January 2026`` (months and years may differ)."""
        first, last = week.days()[0], week.days()[-1]
        if self.code == "de":
            head = (
                f"{first.day}."
                if first.month == last.month
                else f"{first.day}. {self.months[first.month - 1]}"
            )
            if first.year != last.year:
                head += f" {first.year}"
            return f"{head}–{last.day}. {self.months[last.month - 1]} {last.year}"
        head = f"{first.day}" if first.month == last.month else f"{first.day} {self.months[first.month - 1]}"
        if first.year != last.year:
            head += f" {first.year}"
        return f"{head}–{last.day} {self.months[last.month - 1]} {last.year}"

    def week(self, week: IsoWeek, short: bool = True) -> str:
        return (self.week_short if short else self.week_long).format(week=week.week, year=week.year)

    def change(self, current: int, previous: int) -> str:
        """Week-over-week change in percent, signed; a week without predecessor says so."""
        if previous == 0:
            return self.no_previous
        percent = round((current - previous) * 100 / previous)
        sign = "+" if percent > 0 else ("−" if percent < 0 else "±")
        return f"{sign}{abs(percent)} % {self.change_vs_previous}"


GERMAN = Labels(
    code="de",
    story_one="Geschichte",
    story_many="Geschichten",
    article_one="Artikel",
    article_many="Artikel",
    outlet_one="Medium",
    outlet_many="Medien",
    week_short="KW {week}/{year}",
    week_long="Kalenderwoche {week}/{year}",
    top_stories="Die wichtigsten Geschichten",
    more_articles="Weitere Artikel",
    also_reported_by="Auch berichtet von",
    why="Warum relevant",
    change_vs_previous="gegenüber der Vorwoche",
    no_previous="Vorwoche ohne Artikel",
    daily_volume="Artikel pro Tag",
    chart_alt="Balkendiagramm: Artikel pro Tag",
    source_health="Quellen mit Problemen",
    failing="{count} Fehlversuche in Folge ({error})",
    silent="diese Woche keine Artikel (Vorwoche: {previous})",
    no_coverage="Keine neue Berichterstattung in dieser Woche.",
    no_coverage_subject="keine neue Berichterstattung",
    open_in_review="Im Review öffnen",
    story_in_review="im Review",
    footer="Erstellt von newsmon. Sie erhalten diese Übersicht, weil Sie als Empfänger des Themas eingetragen sind.",
    similarity="Ähnlichkeit zu den Referenztexten",
    weekdays=("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
    months=(
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
    ),
    thousands=".",
)

ENGLISH = Labels(
    code="en",
    story_one="story",
    story_many="stories",
    article_one="article",
    article_many="articles",
    outlet_one="outlet",
    outlet_many="outlets",
    week_short="week {week}/{year}",
    week_long="Week {week}/{year}",
    top_stories="Top stories",
    more_articles="More articles",
    also_reported_by="Also reported by",
    why="Why it matched",
    change_vs_previous="on the previous week",
    no_previous="no articles the week before",
    daily_volume="Articles per day",
    chart_alt="Bar chart: articles per day",
    source_health="Sources with problems",
    failing="{count} failures in a row ({error})",
    silent="no articles this week (previous week: {previous})",
    no_coverage="No new coverage this week.",
    no_coverage_subject="no new coverage",
    open_in_review="Open in the review",
    story_in_review="in the review",
    footer="Made by newsmon. You receive this review because you are listed as a recipient of the topic.",
    similarity="similarity to the reference texts",
    weekdays=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    months=(
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    thousands=",",
)

LANGUAGES = {labels.code: labels for labels in (GERMAN, ENGLISH)}


def labels_for(language: str) -> Labels:
    """The labels of ``language`` (``de`` or ``en``)."""
    return LANGUAGES[language]
