"""Dates as readers and feeds want them, from the ISO 8601 strings of front matter.

Written out by hand rather than with strftime so the output never depends on the machine's locale.
"""

from __future__ import annotations

import datetime as dt

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def display_date(iso: str) -> str:
    """'2021-04-06' or '2021-04-06T10:30:00+05:30' -> '6 April 2021'."""
    day = dt.date.fromisoformat(iso[:10])
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_name(month: str) -> str:
    """'2021-04' -> 'April 2021'."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def timestamp(iso: str) -> str:
    """An RFC 3339 timestamp (Atom, JSON Feed): a bare date is taken as midnight UTC, a naive time as UTC."""
    if len(iso) == 10:
        return f"{iso}T00:00:00Z"
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
