"""Simulator (any logged-in person, GET form) and the budget of a CPTS (coordinators edit, members read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from cpts_portal.charts import Series, stacked_bar_chart
from cpts_portal.views import PermissionCheck

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from . import calculations as calc
from .choices import BudgetPartKind
from .documents import (
    BUDGET_TEMPLATE,
    budget_document_context,
    budget_document_get,
    budget_document_outdated,
    budget_document_request,
    budget_pdf_filename,
)
from .forms import BudgetAciSplitForm, BudgetLineFormSet, BudgetParametersForm, SimulatorForm
from .models import Budget, BudgetLine, BudgetPart
from .permissions import (
    can_complete_budget,
    can_edit_budget,
    can_prefill_simulator_from,
    can_reopen_budget,
    can_use_simulator,
    can_view_budget,
)
from .selectors import (
    budget_cpts_list_for_user,
    budget_for_organisation,
    budget_summary,
    cpts_member_count,
    planned_signature_date,
    scale_data_list,
    territory_population,
)
from .services import (
    budget_mark_complete,
    budget_part_save_lines,
    budget_reopen,
    budget_save_parameters,
    funding_plan_compute,
)

CHART_KINDS = [
    calc.OPERATION,
    calc.ADDITIONAL_OPERATION,
    calc.FIXED,
    calc.VARIABLE,
    calc.CRISIS,
    calc.INCREASE,
]


def _deny(decision):
    if not decision:
        raise PermissionDenied(decision.reason)


def _cpts_or_404(pk) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("region"), pk=pk, kind=OrganisationKind.CPTS)


def funding_chart(plan: calc.FundingPlan):
    kinds = [kind for kind in CHART_KINDS if plan.amount(kind)]
    return stacked_bar_chart(
        categories=[_("Année %(year)d") % {"year": y.year} for y in plan.years],
        series=[Series(calc.LINE_KIND_LABELS[kind], [y.amount(kind) for y in plan.years]) for kind in kinds],
        title=_("Financement ACI par année du contrat"),
        desc=_(
            "Barres empilées par nature de financement ; total sur 5 ans : %(total)s. Le tableau donne les montants."
        )
        % {"total": calc.euros(plan.total)},
        unit="\u00a0€",
    )


class SimulatorView(LoginRequiredMixin, TemplateView):
    """The 5-year ACI funding for parameters typed in a GET form; prefilled from a CPTS with ``?cpts=<id>``."""

    template_name = "funding/simulator.html"
    http_method_names = ["get", "head", "options"]

    def _prefill(self, scales) -> tuple[dict, Organisation | None, bool, dt.date | None]:
        today = timezone.localdate()
        organisation, from_budget, planned = None, False, None
        cpts_id = self.request.GET.get("cpts")
        if cpts_id:
            if not str(cpts_id).isdigit():
                raise PermissionDenied(_("CPTS inconnue."))
            organisation = get_object_or_404(Organisation.objects.select_related("region"), pk=cpts_id)
            _deny(can_prefill_simulator_from(self.request.user, organisation))
            planned = planned_signature_date(organisation)
        signed_on = planned or today
        in_force = calc.scale_in_force(scales, signed_on) if scales else None
        initial = {
            "taille": "1",
            "missions": list(in_force.core_codes) if in_force else [],
            "signed_on": signed_on.isoformat(),
            "members": "0",
            "achievement": "100",
        }
        if organisation is not None:
            initial["cpts"] = str(organisation.pk)
            budget = budget_for_organisation(organisation)
            if budget is not None:
                from_budget = True
                initial.update(
                    missions=budget_summary(budget).mission_codes,
                    signed_on=budget.signed_on.isoformat(),
                    members=str(budget.members),
                    taille=str(budget.taille),
                )
            else:
                initial["members"] = str(cpts_member_count(organisation, on=today, scale=in_force))
            population = territory_population(organisation)
            if population:
                initial.update(population=str(population), taille="")
        return initial, organisation, from_budget, planned

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        _deny(can_use_simulator(self.request.user))
        scales = scale_data_list()
        initial, organisation, from_budget, planned = self._prefill(scales)
        data = self.request.GET if "signed_on" in self.request.GET else initial
        form = SimulatorForm(data, scales=scales)
        plan = None
        if scales and form.is_valid():
            d = form.cleaned_data
            try:
                plan = funding_plan_compute(
                    signed_on=d["signed_on"],
                    missions=d["missions"],
                    taille=d["taille"],
                    population=d["population"],
                    members=d["members"],
                    scale_code=d["scale"] or None,
                    achievement=d["achievement"] / Decimal("100"),
                    crisis_years=[int(y) for y in d["crisis_years"]],
                    scales=scales,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
        ctx.update(
            form=form,
            plan=plan,
            organisation=organisation,
            from_budget=from_budget,
            planned_signature=planned,
            kinds=[(kind, calc.LINE_KIND_LABELS[kind]) for kind in calc.LINE_KINDS],
            chart=funding_chart(plan) if plan else None,
            no_scale=not scales,
        )
        return ctx


class BudgetListView(LoginRequiredMixin, TemplateView):
    """The budgets a person may read: those of their CPTS."""

    template_name = "funding/budget_list.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = budget_cpts_list_for_user(self.request.user)
        return ctx


class BudgetDetailView(LoginRequiredMixin, View):
    """The three parts of a CPTS's budget, with totals and the difference per part."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, pk):
        organisation = _cpts_or_404(pk)
        _deny(can_view_budget(request.user, organisation))
        budget = budget_for_organisation(organisation)
        ctx: dict[str, Any] = {"organisation": organisation, "budget": budget}
        if budget is not None:
            ctx.update(
                summary=budget_summary(budget),
                can_edit=can_edit_budget(request.user, organisation, budget),
                can_complete=can_complete_budget(request.user, budget),
                can_reopen=can_reopen_budget(request.user, budget),
            )
        else:
            ctx["can_edit"] = can_edit_budget(request.user, organisation)
        return render(request, "funding/budget_detail.html", ctx)


class BudgetParametersView(LoginRequiredMixin, View):
    """Create the budget or change its parameters (scale, taille, missions, year); ACI lines follow."""

    def _context(self, organisation, budget, form, planned: dt.date | None):
        return {"organisation": organisation, "budget": budget, "form": form, "planned_signature": planned}

    def _check(self, request, pk):
        organisation = _cpts_or_404(pk)
        budget = budget_for_organisation(organisation)
        _deny(can_edit_budget(request.user, organisation, budget))
        return organisation, budget

    def get(self, request, pk):
        organisation, budget = self._check(request, pk)
        scales = scale_data_list()
        planned = planned_signature_date(organisation)
        if budget:
            initial = {
                "signed_on": budget.signed_on,
                "taille": budget.taille if not budget.population else None,
                "population": budget.population,
                "members": budget.members,
                "contract_year": str(budget.contract_year),
                "missions": budget_summary(budget).mission_codes,
                "scale": budget.scale.code,
            }
        else:
            today = timezone.localdate()
            signed_on = planned or today
            population = territory_population(organisation)
            in_force = calc.scale_in_force(scales, signed_on) if scales else None
            initial = {
                "signed_on": signed_on,
                "population": population,
                "taille": None if population else 1,
                "members": cpts_member_count(organisation, on=today, scale=in_force),
                "missions": list(in_force.core_codes) if in_force else [],
            }
        form = BudgetParametersForm(initial=initial, scales=scales)
        return render(request, "funding/budget_parameters.html", self._context(organisation, budget, form, planned))

    def post(self, request, pk):
        organisation, budget = self._check(request, pk)
        form = BudgetParametersForm(request.POST, scales=scale_data_list())
        if form.is_valid():
            d = form.cleaned_data
            try:
                budget_save_parameters(
                    organisation=organisation,
                    by=request.user,
                    signed_on=d["signed_on"],
                    missions=d["missions"],
                    taille=d["taille"],
                    population=d["population"],
                    members=d["members"],
                    contract_year=d["contract_year"],
                    scale_code=d["scale"] or None,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Budget enregistré ; les ressources ACI ont été recalculées."))
                return redirect("funding:budget_detail", pk=organisation.pk)
        context = self._context(organisation, budget, form, planned_signature_date(organisation))
        return render(request, "funding/budget_parameters.html", context, status=400)


class BudgetPartEditView(LoginRequiredMixin, View):
    """The expense and complementary resource lines of one part; the ACI lines are computed, not typed, except in
    parts 1A and 1B, which share mission 1's ACI lines: there the coordinator sets this part's share."""

    def _check(self, request, pk, part_pk):
        organisation = _cpts_or_404(pk)
        part = get_object_or_404(
            BudgetPart.objects.select_related("budget"), pk=part_pk, budget__organisation=organisation
        )
        _deny(can_edit_budget(request.user, organisation, part.budget))
        return organisation, part

    def _formset(self, part, data=None):
        queryset = BudgetLine.objects.filter(part=part, from_calculator=False).order_by("side", "order", "pk")
        return BudgetLineFormSet(data, queryset=queryset, prefix="lines", form_kwargs={"part_kind": part.kind})

    def _aci_lines(self, part):
        return list(BudgetLine.objects.filter(part=part, from_calculator=True).order_by("order"))

    def _split_form(self, part, aci_lines, data=None):
        if not part.is_split:
            return None
        other = (
            BudgetPart.objects.filter(budget_id=part.budget_id, mission_code=part.mission_code)
            .exclude(pk=part.pk)
            .order_by("order")
            .first()
        )
        other_amounts = (
            dict(BudgetLine.objects.filter(part=other, from_calculator=True).values_list("category", "amount"))
            if other
            else {}
        )
        return BudgetAciSplitForm(
            data,
            prefix="aci",
            lines=[line for line in aci_lines if line.calculated_amount is not None],
            other_code=other.code if other else "",
            other_amounts=other_amounts,
        )

    def _render(self, request, organisation, part, formset, split_form, aci_lines, status=200):
        ctx = {
            "organisation": organisation,
            "part": part,
            "formset": formset,
            "split_form": split_form,
            "aci_lines": aci_lines,
            "is_mission": part.kind == BudgetPartKind.MISSION,
        }
        return render(request, "funding/budget_part_form.html", ctx, status=status)

    def get(self, request, pk, part_pk):
        organisation, part = self._check(request, pk, part_pk)
        aci_lines = self._aci_lines(part)
        split_form = self._split_form(part, aci_lines)
        return self._render(request, organisation, part, self._formset(part), split_form, aci_lines)

    def post(self, request, pk, part_pk):
        organisation, part = self._check(request, pk, part_pk)
        aci_lines = self._aci_lines(part)
        formset = self._formset(part, request.POST)
        split_form = self._split_form(part, aci_lines, request.POST)
        if formset.is_valid() and (split_form is None or split_form.is_valid()):
            lines, deleted = [], []
            for form in formset.forms:
                if not form.has_changed() and not form.instance.pk:
                    continue
                if form in formset.deleted_forms:
                    if form.instance.pk:
                        deleted.append(form.instance)
                    continue
                lines.append({"instance": form.instance if form.instance.pk else None, **form.cleaned_data})
            try:
                budget_part_save_lines(
                    part=part,
                    by=request.user,
                    lines=lines,
                    deleted=deleted,
                    aci_amounts=split_form.cleaned_data if split_form is not None else None,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
                return self._render(request, organisation, part, formset, split_form, aci_lines, status=400)
            messages.success(request, _("« %(part)s » enregistrée.") % {"part": part.label})
            return redirect("funding:budget_detail", pk=organisation.pk)
        return self._render(request, organisation, part, formset, split_form, aci_lines, status=400)


class BudgetDocumentMixin(LoginRequiredMixin, View):
    """The budget as a document: whoever may read the budget may read its preview, ask for its PDF and download it."""

    http_method_names = ["get", "head", "options"]

    def budget(self, request, pk, *, full: bool = False) -> Budget:
        organisation = _cpts_or_404(pk)
        _deny(can_view_budget(request.user, organisation))
        budget = budget_for_organisation(organisation, full=full)
        if budget is None:
            raise Http404(_("Cette CPTS n'a pas encore de budget."))
        return budget


class BudgetPreviewView(BudgetDocumentMixin):
    """The PDF's own template on screen (what the PDF holds), rendered in the request: it is HTML."""

    def get(self, request, pk):
        context = budget_document_context(self.budget(request, pk, full=True))
        return render(request, BUDGET_TEMPLATE, {**context, "for_pdf": False})


class BudgetPdfView(BudgetDocumentMixin):
    """The budget's PDF: GET shows where it stands (en attente, en cours, prêt, échec), POST asks for it. The shared
    render task lays it out (``cpts_portal.rendering``), like every PDF of the portal: no request renders a PDF
    (issue 14). A budget is 1 to 3 pages, ready in a second or two (``tests/benchmarks/bench_budget_pdf.py``); the
    page follows it, and the file is laid out again only when the budget changed."""

    http_method_names = ["get", "post"]

    def get(self, request, pk):
        budget = self.budget(request, pk)
        document = budget_document_get(budget)
        return render(
            request,
            "funding/budget_document.html",
            {
                "organisation": budget.organisation,
                "budget": budget,
                "document": document,
                "outdated": document is not None and budget_document_outdated(document, budget),
                "page_url": reverse("funding:budget_pdf", kwargs={"pk": pk}),
                "download_url": reverse("funding:budget_pdf_download", kwargs={"pk": pk}),
            },
        )

    def post(self, request, pk):
        budget_document_request(budget=self.budget(request, pk), by=request.user)
        return redirect("funding:budget_pdf", pk=pk)


class BudgetPdfDownloadView(BudgetDocumentMixin):
    """The stored PDF, byte for byte (its SHA-256 in ``X-Content-SHA256``), under its French name."""

    http_method_names = ["get"]

    def get(self, request, pk):
        budget = self.budget(request, pk)
        document = budget_document_get(budget)
        if document is None or not document.has_file:
            raise Http404(_("Ce PDF n'est pas prêt : préparez-le depuis la page du PDF du budget."))
        response = FileResponse(
            document.file.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=budget_pdf_filename(budget),
        )
        response["X-Content-SHA256"] = document.sha256
        return response


class BudgetTransitionView(LoginRequiredMixin, View):
    """POST-only actions: mark complete (refused while a part is unbalanced), reopen."""

    http_method_names = ["post"]
    permission: ClassVar[PermissionCheck]
    service: ClassVar[Callable[..., Budget]]
    success_message: ClassVar[StrOrPromise] = ""

    def post(self, request, pk):
        organisation = _cpts_or_404(pk)
        budget = budget_for_organisation(organisation)
        if budget is None:
            raise PermissionDenied(_("Cette CPTS n'a pas encore de budget."))
        _deny(type(self).permission(request.user, budget))
        try:
            type(self).service(budget=budget, by=request.user)
        except ValidationError as exc:
            messages.error(request, _("Le budget ne peut pas être marqué complet :"))
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.success_message)
        return redirect("funding:budget_detail", pk=organisation.pk)


class BudgetCompleteView(BudgetTransitionView):
    permission = can_complete_budget
    service = budget_mark_complete
    success_message = gettext_lazy("Budget marqué complet.")


class BudgetReopenView(BudgetTransitionView):
    permission = can_reopen_budget
    service = budget_reopen
    success_message = gettext_lazy("Budget rouvert : vous pouvez le modifier.")
