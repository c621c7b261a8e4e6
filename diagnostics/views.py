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
from django.db import transaction
from django.db.models import Field
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.views import CptsPermissionMixin as BaseCptsPermissionMixin
from cpts_portal.formatting import format_number
from cpts_portal.tabular import table_response

from . import permissions as perms
from . import services
from .choices import LinkKind
from .forms import (
    CommuneAddForm,
    ConflictExplanationForm,
    DiagnosticForm,
    DiagnosticLinkForm,
    EpciAddForm,
    IndicatorImportForm,
    PartForm,
    ParticularityFormSet,
    RegionForm,
)
from .imports import indicator_dataset_import
from .models import PARTICULARITY_SOURCE, Diagnostic, DiagnosticLink, IndicatorDataset, TerritoryCommune
from .reports import diagnostic_export_rows, diagnostic_report, territory_map_svg
from .selectors import (
    commune_search,
    cpts_get,
    diagnostic_for_territory,
    diagnostic_link_groups,
    diagnostic_missing,
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
    # The particularities belong to the diagnostic: still open once the letter froze the list of communes.
    edit_diagnostic = bool(edit) or bool(perms.can_edit_diagnostic(request.user, cpts))
    return {
        "cpts": cpts,
        "territory": territory,
        "summary": summary,
        "can_edit": bool(edit),
        "can_edit_particularities": edit_diagnostic,
        "particularity_source": PARTICULARITY_SOURCE,
        # A coordinator who may not edit now is told why (the letter is with its reviewers).
        "locked_reason": edit.reason if not edit and edit_diagnostic else "",
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
        diagnostic = diagnostic_for_territory(self.territory)
        can_edit = bool(perms.can_edit_diagnostic(self.request.user, self.cpts))

        def sections(names):
            return [(name, _field_label(name), getattr(diagnostic, name, "")) for name in names]

        ctx.update(
            cpts=self.cpts,
            territory=self.territory,
            summary=summary,
            reports=diagnostic_report(summary),
            map_svg=territory_map_svg(summary),
            can_edit=can_edit,
            diagnostic=diagnostic,
            method_sections=sections(Diagnostic.METHOD_SECTIONS[:2]),
            sections=sections(Diagnostic.NARRATIVE_SECTIONS),
            conclusion_sections=sections(Diagnostic.METHOD_SECTIONS[2:]),
            link_groups=diagnostic_link_groups(diagnostic),
            particularity_source=PARTICULARITY_SOURCE,
            missing=diagnostic_missing(self.cpts) if can_edit else [],
        )
        return ctx


def _field_label(name: str) -> str:
    return str(cast(Field, Diagnostic._meta.get_field(name)).verbose_name)


def _form_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where the field is on it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _detail_url(cpts, anchor: str = "") -> str:
    return reverse("diagnostics:diagnostic_detail", kwargs={"cpts_pk": cpts.pk}) + (f"#{anchor}" if anchor else "")


class DiagnosticEditView(CptsPermissionMixin, TemplateView):
    permission = perms.can_edit_diagnostic
    template_name = "diagnostics/diagnostic_edit.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        diagnostic = diagnostic_for_territory(self.territory)
        ctx.update(
            cpts=self.cpts, diagnostic=diagnostic, form=kwargs.get("form") or DiagnosticForm(instance=diagnostic)
        )
        return ctx

    def post(self, request, cpts_pk):
        diagnostic = diagnostic_for_territory(self.territory)
        form = DiagnosticForm(request.POST, request.FILES, instance=diagnostic)
        if form.is_valid():
            data = dict(form.cleaned_data)
            annex, remove = data.pop("data_annex", None), data.pop("remove_annex", False)
            try:
                # The texts and the annex are saved together, or nothing is (a refused PDF keeps the old state).
                with transaction.atomic():
                    territory = services.territory_get_or_create(cpts=self.cpts)
                    services.diagnostic_update(territory=territory, user=request.user, **data)
                    if remove and not annex:
                        services.diagnostic_annex_remove(territory=territory, user=request.user)
                    if annex:
                        services.diagnostic_annex_attach(territory=territory, uploaded=annex, user=request.user)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Diagnostic enregistré."))
                return HttpResponseRedirect(_detail_url(self.cpts))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DiagnosticAnnexView(CptsPermissionMixin, View):
    """The annex of the data collected, to whoever reads the diagnostic (never served from a public media URL)."""

    permission = perms.can_view_diagnostic
    http_method_names = ["get"]

    def get(self, request, cpts_pk):
        diagnostic = diagnostic_for_territory(self.territory)
        if diagnostic is None or not diagnostic.data_annex:
            raise Http404(_("Ce diagnostic n'a pas d'annexe."))
        try:
            handle = diagnostic.data_annex.open("rb")
        except FileNotFoundError as exc:
            raise Http404(_("Le fichier n'est plus disponible.")) from exc
        name = slugify(diagnostic.data_annex_name.removesuffix(".pdf")) or "annexe-donnees"
        response = FileResponse(handle, content_type="application/pdf", filename=f"{name}.pdf")
        response["Cache-Control"] = "private, no-store"
        return response


class ParticularityEditView(CptsPermissionMixin, TemplateView):
    """The particularity (QPV, ZIP, ZAC) of every commune of the territory, in one form, declared by the CPTS.

    Separate from the territory builder: it belongs to the diagnostic, so it stays open once the letter froze the
    list of communes."""

    permission = perms.can_edit_diagnostic
    template_name = "diagnostics/particularity_edit.html"

    def queryset(self):
        if self.territory is None:
            return TerritoryCommune.objects.none()
        return (
            self.territory.entries.select_related("commune")
            .defer("commune__geometry_wkb")
            .order_by("commune__name", "commune__insee_code")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            cpts=self.cpts,
            formset=kwargs.get("formset") or ParticularityFormSet(queryset=self.queryset()),
            particularity_source=PARTICULARITY_SOURCE,
        )
        return ctx

    def post(self, request, cpts_pk):
        formset = ParticularityFormSet(request.POST, queryset=self.queryset())
        if formset.is_valid():
            try:
                with transaction.atomic():
                    for form in formset.forms:
                        services.territory_commune_particularity_set(
                            entry=form.instance,
                            in_qpv=form.cleaned_data["in_qpv"],
                            in_zip=form.cleaned_data["in_zip"],
                            in_zac=form.cleaned_data["in_zac"],
                            note=form.cleaned_data["particularity_note"],
                            user=request.user,
                        )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Particularités des communes enregistrées (déclarées par la CPTS)."))
                return HttpResponseRedirect(_detail_url(self.cpts, "h-particularities"))
        return self.render_to_response(self.get_context_data(formset=formset), status=400)


class DiagnosticLinkFormView(CptsPermissionMixin, TemplateView):
    """Add (no ``link_pk``) or change one link of the diagnostic with a DAC, a CLS, a hôpital de proximité, a PTS."""

    permission = perms.can_edit_diagnostic
    template_name = "diagnostics/diagnostic_link_form.html"

    def get_link(self) -> DiagnosticLink:
        if "link_pk" not in self.kwargs:
            return DiagnosticLink()
        if self.territory is None:
            raise Http404
        return get_object_or_404(DiagnosticLink, pk=self.kwargs["link_pk"], diagnostic__territory=self.territory)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        link = kwargs.get("link") or self.get_link()
        form = kwargs.get("form")
        if form is None:
            initial = {}
            if link.pk is None and self.request.GET.get("kind") in LinkKind.values:
                initial["kind"] = self.request.GET["kind"]
            form = DiagnosticLinkForm(instance=link, initial=initial)
        ctx.update(cpts=self.cpts, link=link, form=form)
        return ctx

    def post(self, request, cpts_pk, link_pk=None):
        link = self.get_link()
        is_new = link.pk is None
        form = DiagnosticLinkForm(request.POST, instance=link)
        if form.is_valid():
            try:
                territory = services.territory_get_or_create(cpts=self.cpts)
                services.diagnostic_link_save(territory=territory, link=form.instance)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                notice = _("Lien ajouté au diagnostic.") if is_new else _("Lien modifié.")
                messages.success(request, notice)
                return HttpResponseRedirect(_detail_url(self.cpts, "h-links"))
        return self.render_to_response(self.get_context_data(link=link, form=form), status=400)


class DiagnosticLinkDeleteView(DiagnosticLinkFormView):
    http_method_names = ["post"]

    def post(self, request, cpts_pk, link_pk=None):
        link = self.get_link()
        services.diagnostic_link_delete(link=link)
        messages.success(request, _("Lien retiré du diagnostic : %(link)s.") % {"link": link})
        return HttpResponseRedirect(_detail_url(self.cpts, "h-links"))


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
