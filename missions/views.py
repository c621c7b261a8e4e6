"""Views of the action plan: thin, each checks its permission, calls a selector or a service, and renders."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View

from accounts.selectors import cpts_list_for_user
from accounts.views import CptsPermissionMixin
from cpts_portal.tabular import table_response
from cpts_portal.views import PermissionCheck
from governance.permissions import can_view_member_contacts

from . import documents, selectors, services, status_log
from . import permissions as perms
from .forms import (
    ActionSheetForm,
    MissionIntroForm,
    PlanSettingsForm,
    SheetCreateForm,
    SheetIndicatorForm,
    sheet_formsets,
)
from .models import ActionExample, ActionPlan, Mission, SheetIndicator


def _require(decision) -> None:
    if not decision:
        raise PermissionDenied(decision.reason)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class CptsIndexView(LoginRequiredMixin, View):
    """The actions of the person's CPTS (straight to the plan when there is only one)."""

    http_method_names = ["get"]

    def get(self, request):
        cpts_list = cpts_list_for_user(request.user)
        if len(cpts_list) == 1:
            return redirect("missions:plan_detail", cpts_pk=cpts_list[0].pk)
        return render(request, "missions/cpts_list.html", {"cpts_list": cpts_list})


class PlanMixin(CptsPermissionMixin, View):
    """Loads ``self.cpts`` (checked with ``can_view_action_plan``) and ``self.plan`` (404 when not started)."""

    permission = perms.can_view_action_plan
    needs_plan = True

    def cpts_loaded(self):
        self.plan = selectors.plan_for_cpts(self.cpts)
        if self.plan is not None:
            self.plan.cpts = self.cpts
        if self.needs_plan and self.plan is None:
            raise Http404(_("Le plan d'actions de cette CPTS n'est pas encore ouvert."))

    @property
    def open_plan(self) -> ActionPlan:
        """The plan of a page that needs one (``cpts_loaded`` answered 404 when the plan is not started)."""
        if self.plan is None:
            raise Http404(_("Le plan d'actions de cette CPTS n'est pas encore ouvert."))
        return self.plan

    def plan_url(self):
        return reverse("missions:plan_detail", kwargs={"cpts_pk": self.cpts.pk})

    def context(self, **extra):
        # Members' e-mails and phones follow the organisation's rule: the CPTS's coordinators only.
        show_contacts = bool(can_view_member_contacts(self.request.user, self.cpts))
        return {"cpts": self.cpts, "plan": self.plan, "show_contacts": show_contacts, **extra}


class SheetMixin(PlanMixin):
    full_sheet = True

    def get_sheet(self, pk):
        try:
            return selectors.sheet_get(self.open_plan, pk, full=self.full_sheet)
        except selectors.ActionSheet.DoesNotExist as exc:
            raise Http404(_("Fiche introuvable.")) from exc

    def sheet_url(self, sheet):
        return reverse("missions:sheet_detail", kwargs={"cpts_pk": self.cpts.pk, "pk": sheet.pk})


# --- Plan ----------------------------------------------------------------------------------------------------------


class PlanDetailView(PlanMixin):
    http_method_names = ["get"]
    needs_plan = False

    def get(self, request, cpts_pk):
        user = request.user
        if self.plan is None:
            return render(
                request,
                "missions/plan_start.html",
                self.context(start=perms.can_start_action_plan(user, self.cpts)),
            )
        page = selectors.action_plan_page(self.open_plan)
        editable = {
            s.pk
            for block in page.blocks
            for s in block.sheets
            if perms.can_edit_sheet(user, s, working_group_ids={m.pk for m in s.working_group.all()})
        }
        can_manage = perms.can_manage_action_plan(user, self.plan)
        if can_manage:  # each mission's inventory and objectives are written on this page, before its fiches
            for block in page.blocks:
                if block.has_intro:
                    block.intro_form = MissionIntroForm(instance=block.intro, mission=block.mission)
        return render(
            request,
            "missions/plan_detail.html",
            self.context(
                page=page,
                editable=editable,
                can_manage=can_manage,
                can_validate=perms.can_validate_plan(user, self.plan),
            ),
        )


class PlanStartView(PlanMixin):
    http_method_names = ["post"]
    needs_plan = False

    def post(self, request, cpts_pk):
        _require(perms.can_start_action_plan(request.user, self.cpts))
        try:
            services.action_plan_create(cpts=self.cpts, by=request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Le plan d'actions du projet de santé est ouvert."))
        return redirect(self.plan_url())


class PlanSettingsView(PlanMixin):
    http_method_names = ["get", "post"]

    def get(self, request, cpts_pk):
        _require(perms.can_manage_action_plan(request.user, self.plan))
        return render(request, "missions/plan_settings.html", self.context(form=PlanSettingsForm(instance=self.plan)))

    def post(self, request, cpts_pk):
        _require(perms.can_manage_action_plan(request.user, self.plan))
        form = PlanSettingsForm(request.POST, instance=selectors.plan_for_cpts(self.cpts))
        if not form.is_valid():
            return render(request, "missions/plan_settings.html", self.context(form=form), status=400)
        services.action_plan_set_signature(
            plan=self.open_plan, by=request.user, planned_signature_date=form.cleaned_data["planned_signature_date"]
        )
        messages.success(request, _("Date de signature envisagée enregistrée."))
        return redirect(self.plan_url())


class MissionIntroView(PlanMixin):
    """A mission's inventory of the existing offer and its objectives (seed 003), written before its fiches: the
    plan page holds the form inline; this page shows it alone (and again with its errors)."""

    http_method_names = ["get", "post"]

    def mission(self, code) -> Mission:
        mission = get_object_or_404(Mission, code=code)
        if not mission.is_aci:
            raise Http404(_("Les actions hors champ ACI n'ont pas d'état des lieux par mission."))
        return mission

    def render(self, request, mission, form, status=200):
        return render(
            request, "missions/mission_intro_form.html", self.context(mission=mission, form=form), status=status
        )

    def get(self, request, cpts_pk, code):
        _require(perms.can_manage_action_plan(request.user, self.plan))
        mission = self.mission(code)
        intro = selectors.mission_intros(self.open_plan).get(mission.pk)
        return self.render(request, mission, MissionIntroForm(instance=intro, mission=mission))

    def post(self, request, cpts_pk, code):
        _require(perms.can_manage_action_plan(request.user, self.plan))
        mission = self.mission(code)
        form = MissionIntroForm(request.POST, mission=mission)
        if not form.is_valid():
            return self.render(request, mission, form, status=400)
        try:
            services.mission_intro_save(plan=self.open_plan, mission=mission, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return self.render(request, mission, form, status=400)
        messages.success(
            request, _("État des lieux et objectifs de « %(mission)s » enregistrés.") % {"mission": mission}
        )
        return redirect(self.plan_url() + f"#etat-des-lieux-{mission.code}")


class PlanValidateView(PlanMixin):
    http_method_names = ["post"]

    def post(self, request, cpts_pk):
        _require(perms.can_validate_plan(request.user, self.plan))
        page = selectors.action_plan_page(self.open_plan)
        try:
            services.action_plan_validate(
                plan=self.open_plan, by=request.user, checklist=page.checklist, all_validated=page.all_validated
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Le plan d'actions est validé en interne."))
        return redirect(self.plan_url())


class PlanningView(PlanMixin):
    """The macro-planning: Gantt chart (server-side SVG) and its equivalent table."""

    http_method_names = ["get"]

    def get(self, request, cpts_pk):
        page = selectors.action_plan_page(self.open_plan, with_gantt=True)
        return render(request, "missions/planning.html", self.context(page=page))


class PlanExportView(PlanMixin):
    http_method_names = ["get"]

    def get(self, request, cpts_pk, fmt):
        if fmt not in ("csv", "xlsx"):
            raise Http404
        page = selectors.action_plan_page(self.open_plan)
        name = f"actions-{slugify(self.cpts.name)}"
        return table_response(fmt, name, selectors.TABLE_COLUMNS, selectors.actions_table_rows(page))


class PlanDocumentMixin(PlanMixin):
    """The PDF of every active fiche (or of one fiche, ``sheet_pk``): GET shows where it stands (en attente, en
    cours, prêt, échec), POST asks for it. A task lays it out: no request renders a PDF. Each person gets the variant
    their rights allow (the members' contacts for the CPTS's coordinators only), looked up from their rights, never
    from the URL; whoever may view the plan may ask for it and download it."""

    http_method_names = ["get", "post"]

    def target(self, kwargs):
        if "pk" not in kwargs:
            return None
        try:
            return selectors.sheet_get(self.open_plan, kwargs["pk"], full=False)
        except selectors.ActionSheet.DoesNotExist as exc:
            raise Http404(_("Fiche introuvable.")) from exc

    def with_contacts(self) -> bool:
        return bool(can_view_member_contacts(self.request.user, self.cpts))

    def page_url(self, sheet):
        if sheet is None:
            return reverse("missions:plan_pdf", kwargs={"cpts_pk": self.cpts.pk})
        return reverse("missions:sheet_pdf", kwargs={"cpts_pk": self.cpts.pk, "pk": sheet.pk})

    def get(self, request, cpts_pk, **kwargs):
        sheet = self.target(kwargs)
        document = documents.plan_document_get(self.open_plan, sheet=sheet, with_contacts=self.with_contacts())
        outdated = document is not None and documents.plan_document_outdated(document)
        return render(
            request,
            "missions/plan_document.html",
            self.context(sheet=sheet, document=document, outdated=outdated, page_url=self.page_url(sheet)),
        )

    def post(self, request, cpts_pk, **kwargs):
        sheet = self.target(kwargs)
        documents.plan_document_request(
            plan=self.open_plan, sheet=sheet, with_contacts=self.with_contacts(), by=request.user
        )
        return redirect(self.page_url(sheet))


class PlanPdfView(PlanDocumentMixin):
    """Every active fiche as one PDF, with the macro-planning (a task lays it out; this page follows it)."""


class SheetPdfView(PlanDocumentMixin):
    """One fiche as a PDF: through the same task as the whole plan, so every PDF of the portal takes one path."""


class PlanDocumentDownloadView(PlanDocumentMixin):
    """The stored file of the person's variant, byte for byte (its SHA-256 in ``X-Content-SHA256``)."""

    http_method_names = ["get"]

    def get(self, request, cpts_pk, **kwargs):
        sheet = self.target(kwargs)
        document = documents.plan_document_get(self.open_plan, sheet=sheet, with_contacts=self.with_contacts())
        if document is None or not document.has_file:
            raise Http404(_("Ce PDF n'est pas prêt : préparez-le depuis la page du PDF."))
        response = FileResponse(
            document.file.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=documents.plan_document_filename(document),
        )
        response["X-Content-SHA256"] = document.sha256
        return response


# --- Fiches --------------------------------------------------------------------------------------------------------


class SheetCreateView(PlanMixin):
    http_method_names = ["get", "post"]

    def get(self, request, cpts_pk):
        _require(perms.can_manage_action_plan(request.user, self.plan))
        initial = {"mission": request.GET.get("mission")} if request.GET.get("mission") else {}
        return render(request, "missions/sheet_create.html", self.context(form=SheetCreateForm(initial=initial)))

    def post(self, request, cpts_pk):
        _require(perms.can_manage_action_plan(request.user, self.plan))
        form = SheetCreateForm(request.POST)
        if not form.is_valid():
            return render(request, "missions/sheet_create.html", self.context(form=form), status=400)
        sheet = services.action_sheet_create(
            plan=self.open_plan,
            by=request.user,
            mission=form.cleaned_data["mission"],
            sub_mission=form.cleaned_data["sub_mission"],
            title=form.cleaned_data["title"],
        )
        messages.success(request, _("Fiche créée : complétez-la."))
        return redirect("missions:sheet_update", cpts_pk=self.cpts.pk, pk=sheet.pk)


class SheetFromExampleView(PlanMixin):
    """ "Partir d'un exemple": the worked examples of seed 000, one per mission at least."""

    http_method_names = ["get", "post"]

    def get(self, request, cpts_pk):
        _require(perms.can_manage_action_plan(request.user, self.plan))
        return render(request, "missions/example_list.html", self.context(examples=selectors.example_list()))

    def post(self, request, cpts_pk):
        _require(perms.can_manage_action_plan(request.user, self.plan))
        raw = request.POST.get("example", "")
        if not raw.isdigit():
            messages.error(request, _("Choisissez un des exemples proposés."))
            return redirect("missions:sheet_from_example", cpts_pk=self.cpts.pk)
        example = get_object_or_404(ActionExample.objects.select_related("mission", "sub_mission"), pk=int(raw))
        sheet = services.action_sheet_create_from_example(plan=self.open_plan, by=request.user, example=example)
        messages.success(
            request, _("Fiche créée à partir de l'exemple : adaptez-la à votre territoire et choisissez son pilote.")
        )
        return redirect("missions:sheet_update", cpts_pk=self.cpts.pk, pk=sheet.pk)


class SheetDetailView(SheetMixin):
    http_method_names = ["get"]

    def get(self, request, cpts_pk, pk):
        sheet = self.get_sheet(pk)
        sheet.number = selectors.sheet_number(sheet)
        user = request.user
        is_coordinator = perms.is_coordinator(user, self.cpts)
        return render(
            request,
            "missions/sheet_detail.html",
            self.context(
                sheet=sheet,
                can_edit=perms.can_edit_sheet(user, sheet),
                can_manage=perms.can_manage_action_plan(user, self.plan),
                can_pilot_validate=perms.can_validate_sheet_as_pilot(user, sheet),
                can_validate=perms.can_validate_sheet(user, sheet),
                pilot_has_account=perms.pilot_has_account(sheet),
                can_invite_pilot=perms.can_invite_pilot(user, sheet),
                can_validate_for_pilot=perms.can_validate_sheet_for_pilot(user, sheet),
                pilot_invitation=selectors.pilot_invitation(sheet) if is_coordinator else None,
                history=selectors.sheet_history(sheet),
                status_changes=status_log.status_changes(sheet, limit=20),
            ),
        )


class SheetUpdateView(SheetMixin):
    """The whole fiche on one page; a save started from an older version is refused without losing the text."""

    http_method_names = ["get", "post"]

    def get(self, request, cpts_pk, pk):
        sheet = self.get_sheet(pk)
        _require(perms.can_edit_sheet(request.user, sheet))
        form = ActionSheetForm(instance=sheet, cpts=self.cpts)
        return self.render(request, sheet, form, sheet_formsets(sheet, self.cpts))

    def render(self, request, sheet, form, formsets, conflict=None, status=200):
        return render(
            request,
            "missions/sheet_form.html",
            self.context(
                sheet=sheet,
                form=form,
                formsets=formsets,
                conflict=conflict,
                missions=selectors.mission_list(),
                diagnostic_figures=selectors.diagnostic_figures(self.cpts),
            ),
            status=status,
        )

    def post(self, request, cpts_pk, pk):
        sheet = self.get_sheet(pk)
        _require(perms.can_edit_sheet(request.user, sheet))
        form = ActionSheetForm(request.POST, instance=sheet, cpts=self.cpts)
        formsets = sheet_formsets(sheet, self.cpts, request.POST)
        if not form.is_valid() or not all(fs.is_valid() for fs in formsets):
            return self.render(request, sheet, form, formsets, status=400)
        try:
            services.action_sheet_update(
                sheet_id=sheet.pk,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                form=form,
                formsets=formsets,
            )
        except services.EditConflict:
            current = selectors.sheet_get(self.open_plan, sheet.pk)
            # The next save knowingly replaces the version shown: it carries that version's number.
            data = cast(QueryDict, form.data).copy()  # the request's POST
            data["version"] = str(current.version)
            form.data = data
            return self.render(
                request, sheet, form, formsets, conflict=selectors.conflict_rows(form, formsets, current), status=409
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return self.render(request, sheet, form, formsets, status=400)
        messages.success(request, _("Fiche enregistrée."))
        return redirect(self.sheet_url(sheet))


class SheetActionView(SheetMixin):
    """A POST-only action on a fiche: check ``sheet_permission``, call ``perform``, redirect with a message."""

    http_method_names = ["post"]
    full_sheet = False
    sheet_permission: PermissionCheck  # a staticmethod in each subclass
    success = ""

    def post(self, request, cpts_pk, pk):
        sheet = self.get_sheet(pk)
        _require(type(self).sheet_permission(request.user, sheet))
        try:
            target = self.perform(request, sheet)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect(self.sheet_url(sheet))
        if self.success:
            messages.success(request, self.success)
        return redirect(target or self.sheet_url(sheet))

    def perform(self, request, sheet):
        raise NotImplementedError


def _manage(user, sheet):
    return perms.can_manage_action_plan(user, sheet.plan)


class SheetDuplicateView(SheetActionView):
    sheet_permission = staticmethod(_manage)

    def perform(self, request, sheet):
        copy = services.action_sheet_duplicate(sheet=sheet, by=request.user)
        messages.success(request, _("Fiche dupliquée."))
        return reverse("missions:sheet_update", kwargs={"cpts_pk": self.cpts.pk, "pk": copy.pk})


class SheetMoveView(SheetActionView):
    sheet_permission = staticmethod(_manage)

    def perform(self, request, sheet):
        direction = request.POST.get("direction")
        if direction not in ("up", "down"):
            raise ValidationError(_("Sens de déplacement inconnu."))
        services.action_sheet_move(sheet=sheet, by=request.user, direction=direction)
        return self.plan_url() + f"#fiche-{sheet.pk}"


class SheetArchiveView(SheetActionView):
    sheet_permission = staticmethod(_manage)

    def perform(self, request, sheet):
        archived = request.POST.get("archived", "1") == "1"
        services.action_sheet_archive(sheet=sheet, by=request.user, archived=archived)
        messages.success(request, _("Fiche archivée.") if archived else _("Fiche restaurée."))
        return self.plan_url()


class SheetPilotValidateView(SheetActionView):
    sheet_permission = staticmethod(perms.can_validate_sheet_as_pilot)
    success = _("Fiche validée pour le groupe de travail.")

    def perform(self, request, sheet):
        services.action_sheet_validate_by_pilot(sheet=sheet, by=request.user, comment=request.POST.get("comment", ""))


class SheetValidateForPilotView(SheetActionView):
    """The coordinator validates in place of a pilot who has no account (recorded as such in the fiche's log)."""

    sheet_permission = staticmethod(perms.can_validate_sheet_for_pilot)
    success = _("Fiche validée au nom de son pilote.")

    def perform(self, request, sheet):
        services.action_sheet_validate_for_pilot(sheet=sheet, by=request.user, comment=request.POST.get("comment", ""))


class SheetInvitePilotView(SheetActionView):
    """Send the pilot governance's single-use invitation to a portal account, from the fiche."""

    sheet_permission = staticmethod(perms.can_invite_pilot)

    def perform(self, request, sheet):
        invitation = services.action_sheet_invite_pilot(sheet=sheet, by=request.user)
        messages.success(
            request,
            _("Une invitation a été envoyée à %(pilot)s (%(email)s) : une fois son compte créé, le pilote valide la "
              "fiche lui-même.") % {"pilot": sheet.pilot, "email": invitation.email},
        )  # fmt: skip


class SheetValidateView(SheetActionView):
    sheet_permission = staticmethod(perms.can_validate_sheet)
    success = _("Indicateurs et budget de la fiche validés.")

    def perform(self, request, sheet):
        services.action_sheet_validate(sheet=sheet, by=request.user, comment=request.POST.get("comment", ""))


# --- Indicators ----------------------------------------------------------------------------------------------------


class IndicatorFormView(SheetMixin):
    http_method_names = ["get", "post"]
    full_sheet = False

    def get_indicator(self, sheet, indicator_pk):
        if indicator_pk is None:
            return None
        return get_object_or_404(SheetIndicator, pk=indicator_pk, sheet=sheet)

    def render(self, request, sheet, form, status=200):
        return render(request, "missions/indicator_form.html", self.context(sheet=sheet, form=form), status=status)

    def get(self, request, cpts_pk, pk, indicator_pk=None):
        sheet = self.get_sheet(pk)
        _require(perms.can_edit_sheet(request.user, sheet))
        form = SheetIndicatorForm(instance=self.get_indicator(sheet, indicator_pk), sheet=sheet)
        return self.render(request, sheet, form)

    def post(self, request, cpts_pk, pk, indicator_pk=None):
        sheet = self.get_sheet(pk)
        _require(perms.can_edit_sheet(request.user, sheet))
        form = SheetIndicatorForm(request.POST, instance=self.get_indicator(sheet, indicator_pk), sheet=sheet)
        if not form.is_valid():
            return self.render(request, sheet, form, status=400)
        indicator = services.indicator_save(sheet=sheet, by=request.user, form=form)
        messages.success(request, _("Indicateur enregistré."))
        if indicator.maintenance_warning:
            messages.warning(request, indicator.maintenance_warning)
        return redirect(self.sheet_url(sheet) + "#indicateurs")


class IndicatorDeleteView(SheetMixin):
    http_method_names = ["post"]
    full_sheet = False

    def post(self, request, cpts_pk, pk, indicator_pk):
        sheet = self.get_sheet(pk)
        _require(perms.can_edit_sheet(request.user, sheet))
        indicator = get_object_or_404(SheetIndicator, pk=indicator_pk, sheet=sheet)
        services.indicator_delete(indicator=indicator, by=request.user)
        messages.success(request, _("Indicateur supprimé."))
        return redirect(self.sheet_url(sheet) + "#indicateurs")
