"""French number formatting that does not depend on the active locale (pages, PDF, exports, charts alike): the
one thousands grouping of the portal (narrow no-break spaces), used by every app, and amounts in euros on it.
Pure (no Django): funding's calculator uses it."""

from decimal import ROUND_HALF_UP, Decimal

NARROW_NBSP = "\u202f"


def format_number(value, decimals: int = 0) -> str:
    """``Decimal("12345.678")`` -> ``"12 345,7"`` (narrow no-break space, decimal comma); trailing zeros dropped."""
    if value is None:
        return "–"
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    integer, _dot, fraction = f"{abs(number):f}".partition(".")
    groups: list[str] = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    text = NARROW_NBSP.join(groups or ["0"])
    fraction = fraction.rstrip("0")
    return sign + text + ("," + fraction if fraction else "")


def format_euros(value) -> str:
    """French amount: ``1 450 000 €``, ``12 345,67 €``, ``12 345,50 €`` (cents to the cent, half up, shown only when
    the amount has some; narrow no-break spaces between thousands, a no-break space before the sign)."""
    cents = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if cents == cents.to_integral_value():
        return format_number(cents) + "\u00a0€"
    text = format_number(cents, 2)
    if text[-2] == ",":  # 12 345,5 -> 12 345,50: format_number drops trailing zeros, an amount keeps its cents
        text += "0"
    return text + "\u00a0€"
