"""French number formatting that does not depend on the active locale (pages, PDF, exports, charts alike): the
one thousands grouping of the portal (narrow no-break spaces), used by every app."""

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
