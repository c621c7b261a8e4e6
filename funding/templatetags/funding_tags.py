"""Template filters for amounts: ``{{ amount|euros }}`` gives ``1 450 000 €``."""

from decimal import Decimal

from django import template

from funding import calculations as calc

register = template.Library()


@register.filter
def euros(value):
    if value is None or value == "":
        return "—"
    return calc.euros(Decimal(value))


@register.filter
def kind_label(kind):
    return calc.LINE_KIND_LABELS.get(kind, kind)


@register.filter
def year_amount(year, kind):
    return year.amount(kind)
