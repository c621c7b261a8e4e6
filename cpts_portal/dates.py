"""Calendar arithmetic shared by every app (the lowest layer: no app imported)."""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later (or earlier when negative); the month's last day when that day does not exist
    (31/01 + 1 = 28/02, 31/08 + 6 = 28/02 or 29/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if day.day <= 28:  # every month has that day: no calendar look-up (3× faster; the funding calculator's hot path)
        return dt.date(year, month, day.day)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
