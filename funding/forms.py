"""Forms of the simulator (a GET form, works without JavaScript) and of the budget."""

from decimal import Decimal
from typing import cast

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from cpts_portal.formatting import format_euros

from . import calculations as calc
from .choices import ACI_CATEGORIES, EXPENSE_CATEGORIES, RESOURCE_CATEGORIES, BudgetCategory, Taille
from .models import BudgetLine

YEAR_CHOICES = [(str(year), _("Année %(year)d") % {"year": year}) for year in range(1, calc.CONTRACT_YEARS + 1)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def mission_choices(scales) -> list[tuple[str, str]]:
    """Every mission code of every scale, labelled by its latest scale (core missions marked)."""
    labels = {}
    for scale in sorted(scales, key=lambda s: s.effective_from):
        for mission in scale.missions:
            kind = _("socle") if mission.is_core else _("optionnelle")
            labels[mission.code] = f"{mission.code} – {mission.label} ({kind})"
    return sorted(labels.items())


class FundingParametersForm(forms.Form):
    """What the calculator needs: size (taille or population), missions, signature date, members, scale."""

    taille = forms.TypedChoiceField(
        label=_("Taille"),
        choices=[("", _("— d'après la population —"))] + [(str(v), label) for v, label in Taille.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    population = forms.IntegerField(
        label=_("ou population du territoire (habitants)"),
        min_value=1,
        required=False,
        help_text=_(
            "La taille en découle : < 40 000 = 1 ; 40 000 à < 80 000 = 2 ; 80 000 à 175 000 = 3 ; > 175 000 = 4."
        ),
    )
    missions = forms.MultipleChoiceField(label=_("Missions engagées"), widget=forms.CheckboxSelectMultiple)
    signed_on = forms.DateField(label=_("Date de signature de l'ACI"), widget=DateInput)
    members = forms.IntegerField(
        label=_("Nombre de membres"),
        min_value=0,
        initial=0,
        help_text=_("Professionnels de santé ou structures ayant adhéré ; compte pour la taille 4++."),
    )
    scale = forms.ChoiceField(label=_("Barème"), required=False)

    def __init__(self, *args, scales=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["missions"]).choices = mission_choices(scales)
        cast(forms.ChoiceField, self.fields["scale"]).choices = [("", _("Celui en vigueur à la date de signature"))] + [
            (s.code, s.name) for s in sorted(scales, key=lambda s: s.effective_from)
        ]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("taille") and data.get("population"):
            raise forms.ValidationError(_("Indiquez la taille ou la population du territoire, pas les deux."))
        if not data.get("taille") and not data.get("population") and not self.errors.get("population"):
            raise forms.ValidationError(_("Indiquez la taille de la CPTS ou la population de son territoire."))
        return data


class SimulatorForm(FundingParametersForm):
    achievement = forms.DecimalField(
        label=_("Taux d'atteinte des volets variables (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        initial=Decimal("100"),
        help_text=_("S'applique à tous les volets variables sauf le versement en cas de crise."),
    )
    crisis_years = forms.MultipleChoiceField(
        label=_("Années avec une crise sanitaire grave (plan de crise rédigé)"),
        choices=YEAR_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cpts = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BudgetParametersForm(FundingParametersForm):
    contract_year = forms.TypedChoiceField(
        label=_("Année du contrat budgétée"), choices=YEAR_CHOICES, coerce=int, initial="1"
    )


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "label", "amount"]
        widgets = {
            "category": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "label": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0", "class": "form-control form-control-sm"}),
        }

    def __init__(self, *args, part_kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = list(EXPENSE_CATEGORIES) + [c for c in RESOURCE_CATEGORIES[part_kind] if c not in ACI_CATEGORIES]
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (_("Dépenses"), [(c.value, c.label) for c in EXPENSE_CATEGORIES]),
            (_("Ressources"), [(c.value, BudgetCategory(c).label) for c in allowed if c not in EXPENSE_CATEGORIES]),
        ]
        self.fields["label"].required = False


class BudgetAciSplitForm(forms.Form):
    """Part 1A or 1B: this part's share of each of mission 1's ACI lines (computed for the whole mission)."""

    def __init__(self, *args, lines=(), other_code: str = "", other_amounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        other_amounts = other_amounts or {}
        for line in lines:
            total = format_euros(line.calculated_amount)
            help_text = _("Calculé pour toute la mission 1 : %(total)s") % {"total": total}
            if line.category in other_amounts:
                help_text += _(" ; en %(code)s : %(amount)s") % {
                    "code": other_code,
                    "amount": format_euros(other_amounts[line.category]),
                }
            self.fields[line.category] = forms.DecimalField(
                label=BudgetCategory(line.category).label,
                min_value=Decimal("0"),
                max_digits=12,
                decimal_places=2,
                initial=line.amount,
                help_text=help_text,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "class": "form-control form-control-sm"}),
            )


BudgetLineFormSet = modelformset_factory(BudgetLine, form=BudgetLineForm, extra=2, can_delete=True)
