from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Region

from .models import Commune, Diagnostic, DiagnosticLink, Epci, IndicatorDefinition, TerritoryCommune


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


MARKDOWN_HELP = _("Texte libre ou Markdown (titres, listes, gras, liens) ; le HTML est filtré à l'affichage.")


class DiagnosticForm(forms.ModelForm):
    """The written steps of the diagnostic (seed 000) and its sharing (seed 003); the annex is a separate field,
    checked by the service like every stored PDF."""

    data_annex = forms.FileField(
        label=_("Annexe : données collectées (PDF)"),
        required=False,
        help_text=_("Facultative. Un PDF de 10 Mo au plus, sans contenu actif ; il remplace l'annexe précédente."),
    )
    remove_annex = forms.BooleanField(label=_("Retirer l'annexe déposée"), required=False)

    class Meta:
        model = Diagnostic
        fields = [*Diagnostic.SECTIONS, "shared_on"]
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 6}) for name in Diagnostic.SECTIONS},
            "shared_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Diagnostic.SECTIONS:
            field = self.fields[name]
            field.help_text = f"{field.help_text} {MARKDOWN_HELP}" if field.help_text else MARKDOWN_HELP
        # The annex field sits right after the data collected, as in the steps of seed 000.
        order = list(self.fields)
        order.remove("data_annex")
        order.remove("remove_annex")
        at = order.index("data_collected_text") + 1
        self.order_fields([*order[:at], "data_annex", "remove_annex", *order[at:]])
        if not (self.instance and self.instance.pk and self.instance.data_annex):
            del self.fields["remove_annex"]


class ParticularityForm(forms.ModelForm):
    """One commune's particularity in the territory table (seed 003: QPV, ZIP, ZAC), declared by the CPTS."""

    class Meta:
        model = TerritoryCommune
        fields = ["in_qpv", "in_zip", "in_zac", "particularity_note"]
        labels = {"in_qpv": "QPV", "in_zip": "ZIP", "in_zac": "ZAC", "particularity_note": _("Précisions")}


ParticularityFormSet = forms.modelformset_factory(TerritoryCommune, form=ParticularityForm, extra=0)


class DiagnosticLinkForm(forms.ModelForm):
    class Meta:
        model = DiagnosticLink
        fields = ["kind", "name", "status", "status_date", "articulation"]
        widgets = {
            "status_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "articulation": forms.Textarea(attrs={"rows": 4}),
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
