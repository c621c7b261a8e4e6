"""Forms of the health project's review (issue 16): an organisation's opinion on the ARS grid (seed 000 Annexe 9),
complements with a comment per section, and the decision prepared by an agent then signed by a decider.

The decision forms offer only the two legal grounds of an opposition (``OppositionGround``); a third value posted
by hand is refused here, by the service and by the database constraint."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import ProjectSection

from .choices import ComplementReason, OppositionGround, ProjectDecisionOutcome
from .forms import TEXTAREA, OpinionForm

SECTION_LABELS = dict(ProjectSection.choices)


@dataclass(frozen=True)
class CriteriaGroup:
    """The criteria of the grid that judge one section of the project, with their form fields."""

    code: str
    title: str
    rows: list  # (criterion, assessment field, comment field)


class ProjectOpinionForm(OpinionForm):
    """One assessment and comment per criterion of the region's grid, grouped by the section each judges, then the
    overall opinion. The ARS agent's answers are the consolidated grid (the service decides, not the form)."""

    def __init__(self, *args, criteria=(), section_titles: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, criteria=criteria, **kwargs)
        self.section_titles = section_titles or {}

    def groups(self) -> list[CriteriaGroup]:
        """Criteria by section, the sections in the order of ``section_titles`` (the region's template), then the
        criteria tied to no section under "Appréciation générale"."""
        by_code: dict[str, list] = {}
        for row in self.criterion_rows():
            by_code.setdefault(row[0].section or "", []).append(row)
        order = [code for code in self.section_titles if code in by_code]
        order += [code for code in by_code if code not in order and code]
        groups = [
            CriteriaGroup(code, self.section_titles.get(code) or str(SECTION_LABELS.get(code, code)), by_code[code])
            for code in order
        ]
        if "" in by_code:
            groups.append(CriteriaGroup("", str(_("Appréciation générale")), by_code[""]))
        return groups

    def answers_by_id(self) -> dict[int, tuple[str, str]]:
        """``{criterion id: (assessment, comment)}``, as ``project_give_opinion`` takes them."""
        return {c.pk: (assessment, comment) for c, (assessment, comment) in self.answers().items()}


class ProjectComplementsForm(forms.Form):
    """A reason, what is expected, and a comment on each section concerned (shown to the CPTS beside the section).
    At least one section is commented: the CPTS must know where to complete."""

    reason = forms.ChoiceField(label=_("Motif"), choices=ComplementReason.choices, widget=forms.RadioSelect)
    message = forms.CharField(label=_("Ce qui est attendu"), widget=TEXTAREA, max_length=10000)

    def __init__(self, *args, sections: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections or [(code, str(label)) for code, label in ProjectSection.choices]
        for code, title in self.sections:
            self.fields[f"section__{code}"] = forms.CharField(
                label=_("Commentaire sur la section « %(title)s »") % {"title": title},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def section_fields(self):
        return [(code, title, self[f"section__{code}"]) for code, title in self.sections]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not any((data.get(f"section__{code}") or "").strip() for code, _title in self.sections):
            raise forms.ValidationError(_("Commentez au moins une section : la CPTS doit savoir où compléter."))
        return data

    def section_comments(self) -> dict[str, str]:
        """``{section code: comment}`` for the sections commented, as ``project_request_complements`` takes them."""
        return {
            code: comment
            for code, _title in self.sections
            if (comment := (self.cleaned_data.get(f"section__{code}") or "").strip())
        }


class ProjectDecisionForm(forms.Form):
    """Non-opposition (the project is validated) or opposition on one of the two legal grounds, with a motive.
    No other ground is offered; a non-opposition carries none (a ground picked before switching is dropped)."""

    outcome = forms.ChoiceField(label=_("Décision"), choices=ProjectDecisionOutcome.choices, widget=forms.RadioSelect)
    ground = forms.ChoiceField(
        label=_("Motif légal de l'opposition"),
        choices=OppositionGround.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Les deux seuls motifs d'opposition prévus par les textes."),
        error_messages={
            "invalid_choice": _(
                "Ce motif n'est pas un motif légal d'opposition : objectifs du PRS non respectés ou territoire "
                "d'action non pertinent."
            )
        },
    )
    motive = forms.CharField(
        label=_("Motivation"),
        required=False,
        max_length=10000,
        widget=TEXTAREA,
        help_text=_("Obligatoire pour une opposition."),
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("outcome") == ProjectDecisionOutcome.OPPOSITION:
            if not data.get("ground") and "ground" not in self.errors:
                self.add_error("ground", _("Choisissez l'un des deux motifs légaux d'opposition."))
            if not (data.get("motive") or "").strip():
                self.add_error("motive", _("Une opposition doit être motivée."))
        elif data.get("outcome") == ProjectDecisionOutcome.NON_OPPOSITION:
            data["ground"] = ""
        return data


class ProjectSignDecisionForm(ProjectDecisionForm):
    """The decider signs, as prepared or amended; the box says what signing means."""

    confirm = forms.BooleanField(
        label=_("Je signe cette décision au nom de l'ARS : elle est notifiée à la CPTS et ne se modifie plus."),
        error_messages={"required": _("Cochez la case pour signer la décision.")},
    )
