from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Region

from .models import Commune, Diagnostic, Epci, IndicatorDefinition


class CommuneAddForm(forms.Form):
    commune = forms.ModelChoiceField(
        queryset=Commune.objects.filter(is_current=True).defer("geometry_wkb"),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("Cette commune est introuvable."),
            "required": _("Choisissez une commune."),
        },
    )


class EpciAddForm(forms.Form):
    epci = forms.ModelChoiceField(
        queryset=Epci.objects.all(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Cet EPCI est introuvable."), "required": _("Choisissez un EPCI.")},
    )


class PartForm(forms.Form):
    perimeter = forms.CharField(
        label=_("Périmètre couvert"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Quartiers, rues, IRIS… : ce que la CPTS couvre dans cette commune."),
    )
    declared_population = forms.IntegerField(
        label=_("Population de cette partie (habitants)"),
        min_value=1,
        help_text=_("Chiffre déclaré par le coordinateur ; il remplace la population de la commune dans le total."),
    )


class ConflictExplanationForm(forms.Form):
    explanation = forms.CharField(
        label=_("Explication du chevauchement"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Par exemple : découpage convenu avec l'autre CPTS, extension en cours. "
            "Les relecteurs et l'ARS la lisent à côté du chevauchement."
        ),
    )


class RegionForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Région qui instruit le dossier"),
        queryset=Region.objects.order_by("name"),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class DiagnosticForm(forms.ModelForm):
    class Meta:
        model = Diagnostic
        fields = Diagnostic.SECTIONS
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in Diagnostic.SECTIONS}
        help_texts = {
            name: _("Texte libre ou Markdown (titres, listes, gras, liens) ; le HTML est filtré à l'affichage.")
            for name in Diagnostic.SECTIONS
        }


class IndicatorImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou Excel (.xlsx)"),
        help_text=_(
            "Une ligne par commune : une colonne « code_insee » et une colonne par indicateur, nommée par son code. "
            "Décimales avec une virgule ou un point. 5 Mo et 50 000 lignes au plus."
        ),
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicateurs contenus dans le fichier"),
        queryset=IndicatorDefinition.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    label = forms.CharField(label=_("Intitulé du jeu de données"), max_length=200)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    year = forms.IntegerField(label=_("Année des données"), min_value=1900, max_value=2100, required=False)
    is_demo = forms.BooleanField(label=_("Données fictives de démonstration"), required=False)
