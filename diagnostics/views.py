"""Territory builder, diagnostic page, indicator imports and exports: thin views over services and selectors.

The builder works without JavaScript (a search form, then one POST form per result); with
``static/js/diagnostics.js`` the search autocompletes from a JSON endpoint and an added or removed commune
refreshes only the territory panel (the same views answer a ``X-Requested-With: fetch`` request with it).
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field
from django.http import Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.views import CptsPermissionMixin as BaseCptsPermissionMixin
from cpts_portal.formatting import format_number
from cpts_portal.tabular import table_response

from . import permissions as perms
from . import services
from .forms import (
    CommuneAddForm,
    ConflictExplanationForm,
    DiagnosticForm,
    EpciAddForm,
    IndicatorImportForm,
    PartForm,
    RegionForm,
)
from .imports import indicator_dataset_import
from .models import Diagnostic, IndicatorDataset, TerritoryCommune
from .reports import diagnostic_export_rows, diagnostic_report, territory_map_svg
from .selectors import (
    commune_search,
    cpts_get,
    territory_cpts_list_for_user,
    territory_for_cpts,
    territory_summary,
)


def _is_fetch(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _first_error(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class CptsPermissionMixin(BaseCptsPermissionMixin):
    """The CPTS named by ``cpts_pk``, checked with ``permission``, and its territory."""

    def cpts_queryset(self):
        return super().cpts_queryset().select_related("territory__instructing_region")

    def cpts_loaded(self):
        self.territory = territory_for_cpts(self.cpts)

    def territory_url(self) -> str:
        return reverse("diagnostics:territory_edit", kwargs={"cpts_pk": self.cpts.pk})

    def get_entry(self) -> TerritoryCommune:
        """The commune of this CPTS's territory named by the URL's ``entry_pk`` (404 for any other)."""
        if self.territory is None:
            raise Http404
        return get_object_or_404(
            TerritoryCommune.objects.select_related("commune", "territory"),
            pk=self.kwargs["entry_pk"],
            territory=self.territory,
        )


class TerritoryListView(LoginRequiredMixin, TemplateView):
    template_name = "diagnostics/territory_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cpts_list"] = territory_cpts_list_for_user(self.request.user)
        ctx["can_import_national"] = bool(perms.can_import_national_indicators(self.request.user))
        ctx["datasets"] = (
            IndicatorDataset.objects.filter(scope="national").select_related("imported_by")[:10]
            if ctx["can_import_national"]
            else []
        )
        return ctx


def panel_context(request, cpts, territory, **extra) -> dict:
    summary = territory_summary(territory)
    edit = perms.can_edit_territory(request.user, cpts)
    return {
        "cpts": cpts,
        "territory": territory,
        "summary": summary,
        "can_edit": bool(edit),
        # A coordinator who may not edit now is told why (the letter is with its reviewers).
        "locked_reason": edit.reason if not edit and perms.can_edit_diagnostic(request.user, cpts) else "",
        "map_svg": territory_map_svg(summary),
        **extra,
    }


class TerritoryEditView(CptsPermissionMixin, TemplateView):
    """The builder for a coordinator; the same page, read-only, for members and reviewers."""

    permission = perms.can_view_territory
    template_name = "diagnostics/territory_edit.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(panel_context(self.request, self.cpts, self.territory))
        query = self.request.GET.get("q", "").strip()
        ctx["query"] = query
        if ctx["can_edit"]:
            ctx["results"] = commune_search(query) if query else None
            region_id = self.territory.instructing_region_id if self.territory else self.cpts.region_id
            ctx["region_form"] = RegionForm(initial={"region": region_id})
        return ctx


class CommuneSearchView(LoginRequiredMixin, View):
    """Autocompletion (JSON): communes by name, INSEE code or postal code; EPCI by name. Reference data only."""

    http_method_names = ["get"]

    def get(self, request):
        results = commune_search(request.GET.get("q", ""))
        return JsonResponse(
            {
                "communes": [
                    {
                        "id": c.pk,
                        "insee": c.insee_code,
                        "name": c.name,
                        "postal_codes": c.postal_codes,
                        "departement": c.departement.code if c.departement else "",
                        "population": c.population,
                        # Written here with the portal's one thousands grouping, so the script formats nothing.
                        "population_label": (
                            _("%(n)s hab.") % {"n": format_number(c.population)}
                            if c.population is not None
                            else _("population inconnue")
                        ),
                    }
                    for c in results.communes
                ],
                "epcis": [{"id": e.pk, "name": e.name, "communes": n} for e, n in results.epcis],
            }
        )


class TerritoryActionView(CptsPermissionMixin, View):
    """A POST-only change to the territory; answers the panel to a fetch request, else redirects."""

    permission = perms.can_edit_territory
    http_method_names = ["post"]

    def respond(self, notice: str = "", error: str = ""):
        if _is_fetch(self.request):
            territory = territory_for_cpts(cpts_get(self.cpts.pk))
            ctx = panel_context(self.request, self.cpts, territory, notice=notice, error=error)
            return render(self.request, "diagnostics/_territory_panel.html", ctx, status=400 if error else 200)
        if error:
            messages.error(self.request, error)
        elif notice:
            messages.success(self.request, notice)
        return HttpResponseRedirect(self.territory_url())


class TerritoryCommuneAddView(TerritoryActionView):
    def post(self, request, cpts_pk):
        form = CommuneAddForm(request.POST)
        if not form.is_valid():
            return self.respond(error=" ".join(str(e) for errors in form.errors.values() for e in errors))
        commune = form.cleaned_data["commune"]
        territory = services.territory_get_or_create(cpts=self.cpts)
        try:
            services.territory_commune_add(territory=territory, commune=commune)
        except ValidationError as exc:
            return self.respond(error=_first_error(exc))
        return self.respond(notice=_("%(commune)s ajoutée au territoire.") % {"commune": commune.name})


class TerritoryEpciAddView(TerritoryActionView):
    def post(self, request, cpts_pk):
        form = EpciAddForm(request.POST)
        if not form.is_valid():
            return self.respond(error=" ".join(str(e) for errors in form.errors.values() for e in errors))
        territory = services.territory_get_or_create(cpts=self.cpts)
        try:
            result = services.territory_epci_add(territory=territory, epci=form.cleaned_data["epci"])
        except ValidationError as exc:
            return self.respond(error=_first_error(exc))
        notice = _("%(n)d communes de %(epci)s ajoutées.") % {
            "n": len(result.added),
            "epci": form.cleaned_data["epci"].name,
        }
        if result.skipped:
            notice += " " + _("Non ajoutées : %(list)s.") % {
                "list": "; ".join(f"{c.name} ({reason})" for c, reason in result.skipped)
            }
        return self.respond(notice=notice)


class TerritoryCommuneRemoveView(TerritoryActionView):
    def post(self, request, cpts_pk, entry_pk):
        entry = self.get_entry()
        name = entry.commune.name
        services.territory_commune_remove(entry=entry)
        return self.respond(notice=_("%(commune)s retirée du territoire.") % {"commune": name})


class TerritoryCommuneWholeView(TerritoryActionView):
    def post(self, request, cpts_pk, entry_pk):
        entry = self.get_entry()
        services.territory_commune_set_whole(entry=entry)
        return self.respond(notice=_("%(commune)s est de nouveau incluse en entier.") % {"commune": entry.commune.name})


class TerritoryConflictExplainView(TerritoryActionView):
    permission = perms.can_explain_conflict

    def post(self, request, cpts_pk, entry_pk):
        entry = self.get_entry()
        form = ConflictExplanationForm(request.POST)
        if not form.is_valid():
            return self.respond(error=" ".join(str(e) for errors in form.errors.values() for e in errors))
        explanation = form.cleaned_data["explanation"]
        services.territory_conflict_explain(entry=entry, explanation=explanation, user=request.user)
        return self.respond(notice=_("Explication enregistrée pour %(commune)s.") % {"commune": entry.commune.name})


class TerritoryRegionView(TerritoryActionView):
    def post(self, request, cpts_pk):
        form = RegionForm(request.POST)
        if not form.is_valid():
            return self.respond(error=_("Choisissez une région."))
        territory = services.territory_get_or_create(cpts=self.cpts)
        services.territory_region_set(territory=territory, region=form.cleaned_data["region"])
        return self.respond(
            notice=_("Le dossier sera instruit par la région %(region)s.") % {"region": form.cleaned_data["region"]}
        )


class TerritoryCommunePartView(CptsPermissionMixin, TemplateView):
    """Include a commune in part: perimeter and declared population (GET shows the form)."""

    permission = perms.can_edit_territory
    template_name = "diagnostics/territory_commune_part.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        entry = kwargs.get("entry") or self.get_entry()
        ctx.update(cpts=self.cpts, entry=entry)
        ctx["form"] = kwargs.get("form") or PartForm(
            initial={"perimeter": entry.perimeter, "declared_population": entry.declared_population}
        )
        return ctx

    def post(self, request, cpts_pk, entry_pk):
        entry = self.get_entry()
        form = PartForm(request.POST)
        if form.is_valid():
            try:
                services.territory_commune_set_part(entry=entry, **form.cleaned_data)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, _("%(commune)s est incluse en partie.") % {"commune": entry.commune.name})
                return HttpResponseRedirect(self.territory_url())
        return self.render_to_response(self.get_context_data(entry=entry, form=form))


# ---------------------------------------------------------------------------------------------------------------
# Diagnostic
# ---------------------------------------------------------------------------------------------------------------


class DiagnosticDetailView(CptsPermissionMixin, TemplateView):
    permission = perms.can_view_diagnostic
    template_name = "diagnostics/diagnostic_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        summary = territory_summary(self.territory)
        diagnostic = Diagnostic.objects.filter(territory=self.territory).first() if self.territory else None
        ctx.update(
            cpts=self.cpts,
            territory=self.territory,
            summary=summary,
            reports=diagnostic_report(summary),
            map_svg=territory_map_svg(summary),
            can_edit=bool(perms.can_edit_diagnostic(self.request.user, self.cpts)),
            diagnostic=diagnostic,
            sections=[
                (cast(Field, Diagnostic._meta.get_field(name)).verbose_name, getattr(diagnostic, name, ""))
                for name in Diagnostic.SECTIONS
            ],
        )
        return ctx


class DiagnosticEditView(CptsPermissionMixin, TemplateView):
    permission = perms.can_edit_diagnostic
    template_name = "diagnostics/diagnostic_edit.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        diagnostic = Diagnostic.objects.filter(territory=self.territory).first() if self.territory else None
        ctx.update(cpts=self.cpts, form=kwargs.get("form") or DiagnosticForm(instance=diagnostic))
        return ctx

    def post(self, request, cpts_pk):
        form = DiagnosticForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        territory = services.territory_get_or_create(cpts=self.cpts)
        services.diagnostic_update(territory=territory, user=request.user, **form.cleaned_data)
        messages.success(request, _("Diagnostic enregistré."))
        return HttpResponseRedirect(reverse("diagnostics:diagnostic_detail", kwargs={"cpts_pk": self.cpts.pk}))


class DiagnosticExportView(CptsPermissionMixin, View):
    permission = perms.can_view_diagnostic
    http_method_names = ["get"]

    def get(self, request, cpts_pk, fmt):
        summary = territory_summary(self.territory)
        columns, rows = diagnostic_export_rows(summary, diagnostic_report(summary))
        return table_response(fmt, f"diagnostic-territoire-{self.cpts.pk}", columns, rows)


# ---------------------------------------------------------------------------------------------------------------
# Indicator imports
# ---------------------------------------------------------------------------------------------------------------


class IndicatorImportMixin:
    request: HttpRequest  # mixed with a View
    template_name: str | None = "diagnostics/indicator_import.html"

    def import_into(self, form, territory):
        uploaded = form.cleaned_data["file"]
        try:
            outcome = indicator_dataset_import(
                uploaded,
                indicators=list(form.cleaned_data["indicators"]),
                label=form.cleaned_data["label"],
                source=form.cleaned_data["source"],
                year=form.cleaned_data["year"],
                is_demo=form.cleaned_data["is_demo"],
                territory=territory,
                user=self.request.user,
                file_name=getattr(uploaded, "name", ""),
            )
        except ValidationError as exc:
            return None, exc.messages
        notice = _(
            "%(n)d lignes importées dans « %(label)s » : %(added)d valeurs ajoutées, %(replaced)d remplacées, "
            "%(unchanged)d inchangées ; les valeurs des autres communes sont conservées."
        ) % {
            "n": outcome.dataset.row_count,
            "label": outcome.dataset.label,
            "added": outcome.added,
            "replaced": outcome.replaced,
            "unchanged": outcome.unchanged,
        }
        if outcome.ignored_columns:
            notice += " " + _("Colonnes ignorées : %(cols)s.") % {"cols": ", ".join(outcome.ignored_columns)}
        messages.success(self.request, notice)
        return outcome, []


class NationalIndicatorImportView(LoginRequiredMixin, IndicatorImportMixin, TemplateView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            decision = perms.can_import_national_indicators(request.user)
            if not decision:
                raise PermissionDenied(decision.reason)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", IndicatorImportForm())
        ctx["cpts"] = None
        return ctx

    def post(self, request):
        form = IndicatorImportForm(request.POST, request.FILES)
        errors = []
        if form.is_valid():
            outcome, errors = self.import_into(form, None)
            if outcome:
                return HttpResponseRedirect(reverse("diagnostics:territory_list"))
        return self.render_to_response(self.get_context_data(form=form, import_errors=errors), status=400)


class TerritoryIndicatorImportView(CptsPermissionMixin, IndicatorImportMixin, TemplateView):
    permission = perms.can_import_territory_indicators

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", IndicatorImportForm())
        ctx["cpts"] = self.cpts
        return ctx

    def post(self, request, cpts_pk):
        form = IndicatorImportForm(request.POST, request.FILES)
        errors = []
        if form.is_valid():
            if self.territory is None:
                errors = [_("Composez d'abord le territoire : les valeurs se rattachent à ses communes.")]
            else:
                outcome, errors = self.import_into(form, self.territory)
                if outcome:
                    return HttpResponseRedirect(
                        reverse("diagnostics:diagnostic_detail", kwargs={"cpts_pk": self.cpts.pk})
                    )
        return self.render_to_response(self.get_context_data(form=form, import_errors=errors), status=400)
