"""Forms of the action plan. The fiche form carries the version it was opened at (optimistic locking)."""

from typing import cast

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from governance.models import Member, Partner

from .choices import CONTRACT_YEARS, IndicatorKind
from .models import (
    ActionPlan,
    ActionSheet,
    IndicatorTemplate,
    Mission,
    MissionIntro,
    PlanningStep,
    ProblemFigure,
    SheetIndicator,
    SubAction,
    SubMission,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MemberChoiceMixin:
    @staticmethod
    def member_label(member) -> str:
        parts = [member.display_name]
        if member.kind_label:
            parts.append(member.kind_label)
        label = " – ".join(parts)
        return f"{label} (a quitté la CPTS)" if member.left_on else label


def _members(cpts):
    return (
        Member.objects.filter(cpts=cpts)
        .select_related("profession", "structure_type")
        .order_by("last_name", "first_name", "pk")
    )


def _partners(cpts):
    return Partner.objects.filter(cpts=cpts).order_by("name", "pk")


class PlanSettingsForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["planned_signature_date"]
        widgets = {"planned_signature_date": DateInput()}


class MissionIntroForm(forms.ModelForm):
    """A mission's inventory and objectives, prefixed by its code so that every mission of the plan page has one."""

    class Meta:
        model = MissionIntro
        fields = ["existing_offer", "patient_objectives", "priority_target", "actor_objectives"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}

    def __init__(self, *args, mission: Mission, **kwargs):
        kwargs.setdefault("prefix", mission_intro_prefix(mission))
        super().__init__(*args, **kwargs)


def mission_intro_prefix(mission: Mission) -> str:
    return f"intro-{mission.code}"


class SheetCreateForm(forms.Form):
    mission = forms.ModelChoiceField(label=_("Mission"), queryset=Mission.objects.all(), empty_label=None)
    sub_mission = forms.ModelChoiceField(
        label=_("Sous-mission (mission 1)"), queryset=SubMission.objects.all(), required=False
    )
    title = forms.CharField(label=_("Libellé de l'action"), max_length=300)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        mission, sub = data.get("mission"), data.get("sub_mission")
        if mission and sub and sub.mission_id != mission.pk:
            self.add_error("sub_mission", _("Cette sous-mission n'appartient pas à la mission choisie."))
        return data


class ActionSheetForm(MemberChoiceMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ActionSheet
        fields = [
            "title",
            "mission",
            "sub_mission",
            "sub_theme",
            "pilot",
            "working_group",
            "involved_members",
            "partners",
            "other_actors",
            "problems",
            "objectives",
            "target_public",
            "preparation_start",
            "start_date",
            "deployment_date",
            "end_date",
            "obstacles",
            "levers",
            "budget_estimate",
            "budget_details",
            "existing_resources",
            "means_logistic",
            "means_digital",
            "means_human",
        ]
        widgets = {
            "working_group": forms.CheckboxSelectMultiple,
            "involved_members": forms.CheckboxSelectMultiple,
            "partners": forms.CheckboxSelectMultiple,
            "preparation_start": DateInput(),
            "start_date": DateInput(),
            "deployment_date": DateInput(),
            "end_date": DateInput(),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "other_actors",
                    "problems",
                    "objectives",
                    "target_public",
                    "obstacles",
                    "levers",
                    "budget_details",
                    "existing_resources",
                    "means_logistic",
                    "means_digital",
                    "means_human",
                )
            },
        }

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        members = _members(cpts)
        for name in ("pilot", "working_group", "involved_members"):
            field = cast(forms.ModelChoiceField, self.fields[name])
            field.queryset = members
            # Django reads label_from_instance on the field instance; the stubs only know it as a method.
            field.label_from_instance = self.member_label  # type: ignore[method-assign,assignment]
        cast(forms.ModelMultipleChoiceField, self.fields["partners"]).queryset = _partners(cpts)
        cast(forms.ModelChoiceField, self.fields["mission"]).empty_label = None
        if self.instance.pk:
            self.initial["version"] = self.instance.version


class ProblemFigureForm(forms.ModelForm):
    class Meta:
        model = ProblemFigure
        fields = ["label", "value", "unit", "source", "year", "diagnostic_indicator"]
        widgets = {"diagnostic_indicator": forms.HiddenInput}


class SubActionForm(MemberChoiceMixin, forms.ModelForm):
    class Meta:
        model = SubAction
        fields = ["description", "responsible", "who", "due_date"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_date": DateInput()}


class PlanningStepForm(forms.ModelForm):
    class Meta:
        model = PlanningStep
        fields = ["label", "date", "is_funder_meeting"]
        widgets = {"date": DateInput()}


FigureFormSet = inlineformset_factory(ActionSheet, ProblemFigure, form=ProblemFigureForm, extra=1, can_delete=True)
SubActionFormSet = inlineformset_factory(ActionSheet, SubAction, form=SubActionForm, extra=1, can_delete=True)
StepFormSet = inlineformset_factory(ActionSheet, PlanningStep, form=PlanningStepForm, extra=1, can_delete=True)


def sheet_formsets(sheet, cpts, data=None) -> list:
    """The fiche's lists (figures, sub-actions and who does what, planning steps), prefixed for one page."""
    figures = FigureFormSet(data, instance=sheet, prefix="figures")
    sub_actions = SubActionFormSet(data, instance=sheet, prefix="sub_actions")
    members = _members(cpts)
    for form in sub_actions.forms + [sub_actions.empty_form]:
        responsible = cast(forms.ModelChoiceField, form.fields["responsible"])
        responsible.queryset = members
        responsible.label_from_instance = MemberChoiceMixin.member_label  # type: ignore[method-assign,assignment]
    steps = StepFormSet(data, instance=sheet, prefix="steps")
    return [figures, sub_actions, steps]


class SheetIndicatorForm(forms.ModelForm):
    class Meta:
        model = SheetIndicator
        fields = [
            "template",
            "kind",
            "label",
            "unit",
            "direction",
            "source",
            "baseline_value",
            "baseline_date",
            "is_funding",
            *[f"target_{y}" for y in CONTRACT_YEARS],
            *[f"weight_{y}" for y in CONTRACT_YEARS],
        ]
        widgets = {"baseline_date": DateInput()}

    def __init__(self, *args, sheet: ActionSheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.sheet = sheet  # the model's clean() reads the fiche's mission
        self.mission = mission = sheet.mission
        templates = IndicatorTemplate.objects.filter(mission=mission).select_related("sub_mission")
        template = cast(forms.ModelChoiceField, self.fields["template"])
        template.queryset = templates
        template.required = False
        template.empty_label = _("— indicateur propre à la CPTS —")
        self.fields["template"].help_text = _(
            "Choisir un indicateur du catalogue remplit le libellé, le type, l'unité, le sens et la source."
        )
        self.template_data = {
            str(t.pk): {
                "label": t.label,
                "kind": t.kind,
                "unit": t.unit,
                "direction": t.direction,
                "source": t.source,
            }
            for t in templates
        }
        if not mission.is_aci or not mission.requires_funding_indicator:
            self.fields["is_funding"].disabled = True
            self.fields["is_funding"].help_text = (
                _("Les actions hors champ ACI ne sont jamais financées par l'ACI.")
                if not mission.is_aci
                else _("Le volet variable de cette mission est déclenché par la survenue d'une crise.")
            )
        if not mission.has_result_target:
            self.no_result_target = True
            for y in CONTRACT_YEARS:
                self.fields[f"target_{y}"].help_text = _(
                    "Pas de cible pour un indicateur de résultat de cette mission."
                )
        else:
            self.no_result_target = False

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if self.no_result_target and data.get("kind") == IndicatorKind.RESULT:
            for y in CONTRACT_YEARS:
                if data.get(f"target_{y}") is not None:
                    self.add_error(
                        f"target_{y}", _("Aucun objectif de résultat n'est défini pour cette mission : pas de cible.")
                    )
        return data

    @property
    def year_rows(self):
        return [(y, self[f"target_{y}"], self[f"weight_{y}"]) for y in CONTRACT_YEARS]
