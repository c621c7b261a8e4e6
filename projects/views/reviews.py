"""Reviewing a letter: complements, opinions, the decision; and La Réunion's fiche signalétique."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from django_fsm import TransitionNotAllowed

from accounts.choices import Stage

from ..forms import ComplementRequestForm, DecisionForm, IdentitySheetForm, OpinionForm
from ..models import IdentitySheet
from ..permissions import (
    can_decide,
    can_fill_identity_sheet,
    can_give_opinion,
    can_prepare_decision,
    can_request_complements,
)
from ..selectors import accompaniment_terms, letter_grid, opinion_counter
from ..services import identity_sheet_save, opinion_give
from ..workflows.engine import current_version, submitted_version
from ..workflows.letter import letter_settings
from ..workflows.letter_services import letter_decide, letter_prepare_decision, letter_request_complements
from .base import LetterMixin, error_messages


class LetterFormView(LetterMixin, TemplateView):
    """GET shows ``form``; POST validates it and calls ``save(form)``; errors from the service are shown on the
    form, in French, keeping what was typed."""

    form_class: type[forms.Form]

    @property
    def success_message(self) -> str:
        raise NotImplementedError

    def get_form(self, data=None, initial=None):
        return self.form_class(data, initial=initial, **self.get_form_kwargs())

    def get_form_kwargs(self):
        return {}

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form(initial=self.get_initial()) if self.get_initial() else self.get_form())

    def get_initial(self):
        return None

    def save(self, form) -> None:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                self.save(form)
            except (ValidationError, TransitionNotAllowed) as exc:
                for text in error_messages(exc):
                    form.add_error(None, text)
            else:
                messages.success(request, self.success_message)
                return redirect("projects:letter_detail", pk=self.letter.pk)
        return self.render_form(form)

    def render_form(self, form):
        return render(
            self.request, self.get_template_names(), {"letter": self.letter, "form": form, **self.extra_context_data()}
        )

    def extra_context_data(self):
        return {}


class LetterComplementsView(LetterFormView):
    permission = can_request_complements
    template_name = "projects/intentionletter_complements.html"
    form_class = ComplementRequestForm
    success_message = _("Compléments demandés : la CPTS est prévenue.")

    @cached_property
    def version(self):
        """The version judged: each field's current value is shown beside its comment box."""
        return current_version(self.letter)

    def get_form(self, data=None, initial=None):
        return ComplementRequestForm(data, current=self.version.data if self.version else {})

    def extra_context_data(self):
        return {"version": self.version}

    def save(self, form):
        letter_request_complements(
            letter=self.letter,
            by=self.request.user,
            reason=form.cleaned_data["reason"],
            message=form.cleaned_data["message"],
            field_comments=form.field_comments(),
        )


class LetterOpinionView(LetterFormView):
    """The opinion of the person's organisation on the current version: the 3 criteria, then the overall opinion."""

    permission = can_give_opinion
    template_name = "projects/opinion_form.html"
    success_message = _("Votre avis est enregistré.")

    def get_form(self, data=None, initial=None):
        grid = letter_grid(self.letter)
        return OpinionForm(data, criteria=grid.criteria.all() if grid else ())

    def save(self, form):
        opinion_give(
            letter=self.letter,
            by=self.request.user,
            overall=form.cleaned_data["overall"],
            comment=form.cleaned_data["comment"],
            answers=form.answers(),
        )

    def extra_context_data(self):
        from ..permissions import opinion_organisation_for

        organisation, consolidated = opinion_organisation_for(self.request.user, self.letter)
        version = submitted_version(self.letter)
        return {"organisation": organisation, "consolidated": consolidated, "version": version, "data": version.data}


class LetterDecisionView(LetterFormView):
    """A decider of the ARS signs the decision: validate or refuse with a motive, prefilled from the decision an
    agent prepared (signed as is or amended), else from the regional settings (FIR grant, or support by a
    structure d'appui) and the funding scale in force."""

    permission = can_decide
    template_name = "projects/decision_form.html"
    mode = "sign"

    @property
    def success_message(self):
        settings = letter_settings(self.letter)
        circuit = settings.circuit(Stage.LETTER) if settings else None
        desk = circuit.desk.name if circuit and circuit.desk else _("l'instance qui l'a examinée")
        return _("La décision est enregistrée : la CPTS et %(desk)s sont prévenus.") % {"desk": desk}

    def prepared(self):
        from ..models import PreparedDecision

        version = submitted_version(self.letter)
        return (
            PreparedDecision.objects.filter(letter=self.letter, version=version)
            .select_related("prepared_by", "organisation")
            .first()
        )

    def get_initial(self):
        settings = letter_settings(self.letter)
        today = timezone.localdate()
        version = submitted_version(self.letter)
        terms = accompaniment_terms(population=version.data["territory"].get("population"), on=today)
        initial = {
            "decided_on": today,
            "fir_amount": settings.fir_engineering_amount,
            "fir_instalments": settings.fir_instalments,
            "fir_period_months": settings.fir_period_months,
            "accompaniment_amount": terms.amount if terms else None,
            "commitment_months": (
                settings.support_months
                if settings.funds_support
                else (terms.months if terms and terms.months else None) or settings.support_months
            ),
        }
        if prepared := self.prepared():
            initial.update(
                {
                    name: value
                    for name in (
                        "outcome",
                        "motive",
                        "fir_amount",
                        "fir_instalments",
                        "fir_period_months",
                        "accompaniment_amount",
                        "commitment_months",
                        "support_days",
                    )
                    if (value := getattr(prepared, name)) not in (None, "")
                }
            )
        return initial

    def get_form(self, data=None, initial=None):
        return DecisionForm(data, initial=initial, settings=letter_settings(self.letter))

    def save(self, form):
        data = form.cleaned_data
        validated = data["outcome"] == "validated"
        letter_decide(
            letter=self.letter,
            by=self.request.user,
            outcome=data["outcome"],
            motive=data["motive"],
            decided_on=data["decided_on"],
            fir_amount=data.get("fir_amount") if validated else None,
            instalments=form.instalments(),
            accompaniment_amount=data.get("accompaniment_amount"),
            commitment_months=data.get("commitment_months"),
            support_days=data.get("support_days") if validated else None,
        )

    def extra_context_data(self):
        from ..models import Opinion

        version = submitted_version(self.letter)
        opinions = (
            Opinion.objects.filter(version=version)
            .select_related("organisation", "author")
            .prefetch_related("answers__criterion")
            .order_by("-is_consolidated", "organisation__name")
        )
        transmission = self.letter.transitions.filter(transition="transmit").order_by("-at", "-pk").first()
        return {
            "version": version,
            "opinions": opinions,
            "counter": opinion_counter(self.letter),
            "population": version.data["territory"].get("population"),
            "mode": self.mode,
            "prepared": self.prepared() if self.mode == "sign" else None,
            "settings": letter_settings(self.letter),
            "transmission": transmission if transmission and transmission.details.get("missing_opinions") else None,
        }


class LetterPrepareDecisionView(LetterDecisionView):
    """An ARS agent instructs the dossier and prepares the decision (outcome, motive, amounts); a decider of the
    same ARS signs it. The same form, without the date (the decider's signature dates the decision)."""

    permission = can_prepare_decision
    mode = "prepare"
    success_message = _("Décision préparée : un décideur de l'ARS peut maintenant la signer.")

    def get_form(self, data=None, initial=None):
        form = DecisionForm(data, initial=initial, settings=letter_settings(self.letter))
        form.fields["decided_on"].required = False
        return form

    def save(self, form):
        data = form.cleaned_data
        letter_prepare_decision(
            letter=self.letter,
            by=self.request.user,
            outcome=data["outcome"],
            motive=data["motive"],
            fir_amount=data.get("fir_amount"),
            fir_instalments=data.get("fir_instalments"),
            fir_period_months=data.get("fir_period_months"),
            accompaniment_amount=data.get("accompaniment_amount"),
            commitment_months=data.get("commitment_months"),
            support_days=data.get("support_days"),
        )


class IdentitySheetView(LetterFormView):
    permission = can_fill_identity_sheet
    template_name = "projects/identitysheet_form.html"
    success_message = _("Fiche signalétique enregistrée.")

    def get_form(self, data=None, initial=None):
        instance = IdentitySheet.objects.filter(letter=self.letter).first()
        if instance is None:
            version = submitted_version(self.letter)
            communes = version.data["territory"]["communes"]
            main = max(communes, key=lambda c: c.get("population") or 0)["name"] if communes else ""
            initial = {
                "cpts_name": self.letter.cpts.name,
                "contact_email": self.letter.contact_email,
                "main_town": main,
                "population": version.data["territory"].get("population"),
            }
        return IdentitySheetForm(data, instance=instance, initial=initial)

    def save(self, form):
        identity_sheet_save(letter=self.letter, by=self.request.user, form=form)
