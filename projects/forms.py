"""Forms of the dossier. Draft forms require nothing: completeness is checked at submission, not at saving."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .calculations import REQUESTABLE_LETTER_FIELDS, letter_field_display, letter_field_label
from .choices import Assessment, ComplementReason, DecisionOutcome
from .models import (
    CarryingStructure,
    HealthProject,
    IdentitySheet,
    IntentionLetter,
    LetterProfession,
    LetterTeamMember,
)

TEXTAREA = forms.Textarea(attrs={"rows": 4})


class LetterForm(forms.ModelForm):
    class Meta:
        model = IntentionLetter
        fields = [
            "pilot_name",
            "pilot_profession",
            "contact_email",
            "contact_phone",
            "needs",
            "information_actions",
            "project_description",
            "commits_access",
            "commits_pathways",
            "commits_prevention",
            "commits_crisis",
            "missions_comment",
            "objectives",
            "means",
            "partners_associated",
            "partners_planned",
            "subsidy_amount",
            "engineering_budget",
            "subsidy_comment",
        ]
        widgets = {
            name: TEXTAREA
            for name in (
                "needs",
                "information_actions",
                "project_description",
                "missions_comment",
                "objectives",
                "means",
                "partners_associated",
                "partners_planned",
                "subsidy_comment",
            )
        }
        help_texts = {
            "needs": _("Premiers éléments de diagnostic : constats des professionnels, chiffres connus."),
            "information_actions": _("Questionnaire envoyé, réunions tenues, nombre de professionnels touchés…"),
            "project_description": _(
                "En adéquation avec les missions des CPTS définies dans l'ACI et les axes prioritaires du PRS."
            ),
        }

    def __init__(self, *args, regional_settings=None, **kwargs):
        super().__init__(*args, **kwargs)
        add_theme_field(self, regional_settings)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if "themes" in self.fields:
            self.instance.themes = list(data.get("themes") or [])
        return data


def add_theme_field(form: forms.ModelForm, settings) -> None:
    """The priority themes of the region (La Réunion, seed 004) become checkboxes of the letter form; a region
    whose settings list none gets no such field."""
    themes = settings.theme_list if settings else []
    if not themes:
        return
    current = [t for t in (form.instance.themes or []) if t not in themes]  # kept if the settings changed
    form.fields["themes"] = forms.MultipleChoiceField(
        label=_("Thématiques prioritaires retenues par l'équipe"),
        choices=[(t, t) for t in [*themes, *current]],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=form.instance.themes,
        help_text=_("Les thématiques de santé que priorise l'ARS de votre région : cochez celles de l'équipe."),
    )


class SubmitConfirmForm(forms.Form):
    """Submitting is irreversible: the coordinator confirms it, checked on the server (no script needed)."""

    confirm = forms.BooleanField(
        label=_("Je confirme le dépôt : la lettre ne se modifiera plus, sauf si des compléments sont demandés."),
        error_messages={"required": _("Cochez la case pour confirmer le dépôt de la lettre.")},
    )
    comment = forms.CharField(
        label=_("Commentaire pour les destinataires (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CarryingStructureForm(forms.ModelForm):
    class Meta:
        model = CarryingStructure
        fields = ["legal_form", "name", "siret", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"siret": _("14 chiffres, sans espace. Vérifié par sa clé de contrôle.")}

    def clean_siret(self):
        return "".join((self.cleaned_data.get("siret") or "").split())


TeamFormSet = inlineformset_factory(
    IntentionLetter,
    LetterTeamMember,
    fields=["name", "profession", "place", "team_role"],
    extra=2,
    can_delete=True,
)
ProfessionFormSet = inlineformset_factory(
    IntentionLetter, LetterProfession, fields=["profession", "count"], extra=2, can_delete=True
)


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# The letter's fields grouped as the letter reads, by the first part of their path (a new path joins its group).
COMPLEMENT_GROUPS: list[tuple["StrOrPromise", tuple[str, ...]]] = [
    (_("Pilote du projet et contact"), ("cpts", "pilot")),
    (_("Territoire d'action"), ("territory",)),
    (_("Besoins identifiés"), ("needs",)),
    (_("Mobilisation des professionnels et équipe projet"), ("professionals", "team")),
    (_("Projet et engagement sur les 4 missions socles"), ("project",)),
    (_("Objectifs, actions envisagées et moyens"), ("objectives",)),
    (_("Partenaires"), ("partners",)),
    (_("Structure porteuse"), ("carrying_structure",)),
    (_("Demande de subvention"), ("subsidy",)),
]


@dataclass(frozen=True)
class ComplementFieldRow:
    """One field the reviewer may pick: its path and label, its current value in the version judged, and the
    checkbox and comment box of the form."""

    path: str
    label: str
    current: str
    picked: bool
    comment: forms.BoundField
    pick_id: str


class ComplementRequestForm(forms.Form):
    """A reason, a message, the fields concerned (picked among the letter's fields) and a comment on each picked
    field, shown beside it to the CPTS. Comments typed on a field that is not picked are kept on screen but not
    sent; a picked field needs its comment."""

    reason = forms.ChoiceField(label=_("Motif"), choices=ComplementReason.choices, widget=forms.RadioSelect)
    message = forms.CharField(label=_("Ce qui est attendu"), widget=TEXTAREA)
    fields_concerned = forms.MultipleChoiceField(
        label=_("Champs concernés"),
        choices=[(path, label) for path, (label, _anchor) in REQUESTABLE_LETTER_FIELDS.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Cochez au moins un champ concerné par la demande."),
            "invalid_choice": _("Ce champ n'existe pas dans la lettre d'intention."),
        },
    )

    def __init__(self, *args, current: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current or {}
        for path, (label, _anchor) in REQUESTABLE_LETTER_FIELDS.items():
            self.fields[f"comment__{path}"] = forms.CharField(
                label=_("Commentaire pour la CPTS sur « %(label)s »") % {"label": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for path in data.get("fields_concerned") or []:
            if not (data.get(f"comment__{path}") or "").strip():
                self.add_error(
                    f"comment__{path}",
                    _("Indiquez ce qui est attendu pour « %(label)s », ou décochez ce champ.")
                    % {"label": letter_field_label(path)},
                )
        return data

    def picked(self) -> list[str]:
        if self.is_bound:
            return list(self.data.getlist("fields_concerned") if hasattr(self.data, "getlist") else [])
        return list(self.initial.get("fields_concerned") or [])

    def groups(self) -> list[tuple["StrOrPromise", list[ComplementFieldRow]]]:
        """The fields grouped as the letter reads, each with its current value and its comment box."""
        picked = set(self.picked())
        rows: dict[StrOrPromise, list[ComplementFieldRow]] = {}
        for index, (path, (label, _anchor)) in enumerate(REQUESTABLE_LETTER_FIELDS.items()):
            row = ComplementFieldRow(
                path=path,
                label=label,
                current=letter_field_display(self.current, path),
                picked=path in picked,
                comment=self[f"comment__{path}"],
                pick_id=f"id_fields_concerned_{index}",
            )
            prefix = path.split(".")[0]
            title = next((t for t, prefixes in COMPLEMENT_GROUPS if prefix in prefixes), _("Autres champs"))
            rows.setdefault(title, []).append(row)
        return list(rows.items())

    def field_comments(self) -> dict[str, str]:
        return {path: self.cleaned_data[f"comment__{path}"].strip() for path in self.cleaned_data["fields_concerned"]}


class OpinionForm(forms.Form):
    """One assessment and comment per criterion of the grid, then an overall opinion."""

    overall = forms.ChoiceField(label=_("Avis global"), choices=Assessment.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Commentaire global"), required=False, widget=TEXTAREA)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"c{criterion.pk}_assessment"] = forms.ChoiceField(
                label=criterion.label,
                help_text=criterion.help_text,
                choices=Assessment.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"c{criterion.pk}_comment"] = forms.CharField(
                label=_("Commentaire sur ce critère"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def criterion_rows(self):
        return [(c, self[f"c{c.pk}_assessment"], self[f"c{c.pk}_comment"]) for c in self.criteria]

    def answers(self) -> dict:
        return {
            c: (self.cleaned_data[f"c{c.pk}_assessment"], self.cleaned_data.get(f"c{c.pk}_comment", ""))
            for c in self.criteria
        }


class DecisionForm(forms.Form):
    """The decision, shaped by the regional settings: an FIR grant and its instalments, or the support by a
    structure d'appui (days, up to ``support_months``)."""

    outcome = forms.ChoiceField(
        label=_("Décision"),
        choices=[(DecisionOutcome.VALIDATED, _("Validée")), (DecisionOutcome.REFUSED, _("Refusée"))],
        widget=forms.RadioSelect,
    )
    motive = forms.CharField(label=_("Motif"), widget=TEXTAREA)
    decided_on = forms.DateField(
        label=_("Date de la décision"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    fir_amount = forms.DecimalField(
        label=_("Subvention FIR d'ingénierie (€)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    fir_instalments = forms.IntegerField(label=_("Nombre de versements"), min_value=1, max_value=12, initial=2)
    fir_period_months = forms.IntegerField(
        label=_("Période des versements (mois)"),
        min_value=0,
        max_value=36,
        initial=6,
        help_text=_("Le premier versement à la date de la décision, le dernier à la fin de la période."),
    )
    accompaniment_amount = forms.DecimalField(
        label=_("Aide à l'accompagnement (€)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Préremplie d'après le barème en vigueur et la taille de la CPTS."),
    )
    commitment_months = forms.IntegerField(
        label=_("Délai d'engagement (mois)"),
        required=False,
        min_value=1,
        max_value=36,
        help_text=_("Délai pour déposer le projet de santé et adhérer à l'ACI, à compter de la décision."),
    )
    support_days = forms.IntegerField(
        label=_("Journées d'appui accordées"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Droit de tirage sur des journées de mission d'une structure d'appui, dans le budget convenu."),
    )

    def __init__(self, *args, settings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.funds_support = bool(settings and settings.funds_support)
        if self.funds_support:
            for name in ("fir_amount", "fir_instalments", "fir_period_months", "accompaniment_amount"):
                del self.fields[name]
            months = settings.support_months or 36
            self.fields["commitment_months"] = forms.IntegerField(
                label=_("Durée de l'accompagnement (mois)"),
                required=False,
                min_value=1,
                max_value=months,
                help_text=_("Au plus %(n)s mois (paramètres de votre région).") % {"n": months},
            )
        else:
            del self.fields["support_days"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        validated = data.get("outcome") == DecisionOutcome.VALIDATED
        if validated and not self.funds_support and data.get("fir_amount") is None:
            self.add_error("fir_amount", _("Indiquez le montant de la subvention FIR."))
        if validated and self.funds_support and not data.get("support_days"):
            self.add_error("support_days", _("Indiquez le nombre de journées d'appui accordées."))
        return data

    def instalments(self):
        from .calculations import split_instalments

        data = self.cleaned_data
        if self.funds_support or data.get("outcome") != DecisionOutcome.VALIDATED or data.get("fir_amount") is None:
            return None
        return [
            (i.amount, i.due_on)
            for i in split_instalments(
                amount=data["fir_amount"],
                count=data["fir_instalments"],
                start=data.get("decided_on") or dt.date.today(),
                period_months=data["fir_period_months"],
            )
        ]


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note interne"), widget=forms.Textarea(attrs={"rows": 3}))


class IdentitySheetForm(forms.ModelForm):
    class Meta:
        model = IdentitySheet
        fields = ["cpts_name", "contact_email", "main_town", "population", "orientations"]
        widgets = {"orientations": forms.CheckboxSelectMultiple}


class HealthProjectForm(forms.ModelForm):
    """The sections the health project holds itself; every field may stay empty in a draft."""

    class Meta:
        model = HealthProject
        fields = [
            "project_date", "cpts_name", "association_name", "siret", "postal_address", "phone", "email",
            "public_email", "representative_name", "representative_profession", "representative_phone",
            "representative_email", "coordinator_name", "coordinator_profession", "coordinator_phone",
            "coordinator_email", "governance_description", "ways_of_working", "uncovered_needs", "quality_evaluation",
        ]  # fmt: skip
        widgets = {
            "project_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "postal_address": forms.Textarea(attrs={"rows": 2}),
            "governance_description": forms.Textarea(attrs={"rows": 4}),
            "ways_of_working": forms.Textarea(attrs={"rows": 4}),
            "uncovered_needs": forms.Textarea(attrs={"rows": 3}),
            "quality_evaluation": forms.Textarea(attrs={"rows": 5}),
        }
