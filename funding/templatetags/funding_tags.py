"""Template filters for amounts: ``{{ amount|euros }}`` gives ``1 450 000 €`` (cpts_portal.formatting, the one
thousands grouping)."""

from decimal import Decimal

from django import template

from cpts_portal.formatting import format_euros
from funding import calculations as calc

register = template.Library()


@register.filter
def euros(value):
    if value is None or value == "":
        return "—"
    return format_euros(Decimal(value))


@register.filter
def kind_label(kind):
    return calc.LINE_KIND_LABELS.get(kind, kind)


@register.filter
def year_amount(year, kind):
    return year.amount(kind)
