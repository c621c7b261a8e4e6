"""The overview (counts the dossiers need), the members list, forms, import, export, departure, invitation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from django.views.generic.edit import CreateView, UpdateView

from accounts.views import signed_in_user
from cpts_portal.tabular import table_response

from ..choices import MemberNature
from ..forms import MemberForm, MemberImportForm, MemberLeaveForm
from ..imports import COLUMNS, MemberImportError, export_columns, export_rows, members_import
from ..models import Member
from ..selectors import (
    body_list,
    bureau_status,
    inclusion_totals,
    member_categories,
    member_counts_by_category,
    member_list,
    members_threshold_at,
    professions_represented,
    referent_list,
)
from ..services import member_invite, member_leave, member_save
from .base import CptsScopedMixin, ManageMixin, _ModelFormBase, date_param

NATURE_SLUGS = {"professionnel": MemberNature.PROFESSIONAL, "structure": MemberNature.STRUCTURE}


class GovernanceOverviewView(CptsScopedMixin, TemplateView):
    """The counts of the health project and the letter, on a chosen date (today by default)."""

    template_name = "governance/overview.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        on = date_param(self.request)
        rows = member_counts_by_category(self.cpts, on)
        bodies = body_list(self.cpts, on)
        ctx.update(
            on=on,
            rows=rows,
            total_joined=sum(r.joined for r in rows),
            total_governance=sum(r.in_governance for r in rows),
            total_writing=sum(r.took_part_in_writing for r in rows),
            threshold=members_threshold_at(self.cpts, on),
            threshold_professionals=members_threshold_at(self.cpts, on, count_structures=False),
            professions=professions_represented(self.cpts, on),
            bureau=bureau_status(bodies),
            referents=referent_list(self.cpts, on),
            inclusion=inclusion_totals(self.cpts),
        )
        return ctx


class MemberListView(CptsScopedMixin, ListView):
    template_name = "governance/member_list.html"
    context_object_name = "members"
    paginate_by = 50
    http_method_names = ["get", "head"]

    def get_queryset(self):
        params = self.request.GET
        self.show_left = params.get("statut") == "tous"
        on = None if self.show_left else date_param(self.request)
        nature = params.get("nature", "")
        return member_list(
            self.cpts,
            on=on,
            nature=nature if nature in MemberNature.values else "",
            category=params.get("categorie", ""),
            search=params.get("q", "").strip()[:100],
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(
            show_left=self.show_left,
            categories=member_categories(),
            filters=self.request.GET,
            querystring=params.urlencode(),
            today=timezone.localdate(),
        )
        return ctx


class MemberFormMixin(ManageMixin, _ModelFormBase):
    model = Member
    form_class = MemberForm
    template_name: str | None = "governance/member_form.html"
    nature: str  # set from the URL (creation) or the member (update)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["nature"] = self.nature
        return kwargs

    def form_valid(self, form):
        member = form.save(commit=False)
        member.cpts = self.cpts
        try:
            member_save(member=member)
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("%(member)s est enregistré·e.") % {"member": member})
        return redirect("governance:member_list", cpts_pk=self.cpts.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["nature"] = self.nature
        return ctx


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class MemberCreateView(MemberFormMixin, CreateView):
    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("nature") not in NATURE_SLUGS:
            raise Http404
        self.nature = NATURE_SLUGS[kwargs["nature"]]
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"joined_on": timezone.localdate()}


class MemberUpdateView(MemberFormMixin, UpdateView):
    def get_object(self, queryset=None):
        member = get_object_or_404(Member, pk=self.kwargs["pk"], cpts=self.cpts)
        self.nature = member.nature
        return member

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["history"] = self.object.history.select_related("history_user").order_by("-history_date")[:20]
        ctx["leave_form"] = MemberLeaveForm(initial={"left_on": timezone.localdate()})
        return ctx


class MemberLeaveView(ManageMixin, View):
    http_method_names = ["post"]

    def post(self, request, cpts_pk, pk):
        member = get_object_or_404(Member, pk=pk, cpts=self.cpts)
        form = MemberLeaveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Indiquez une date de départ valide."))
        else:
            try:
                member_leave(member=member, on=form.cleaned_data["left_on"])
                messages.success(
                    request, _("%(member)s a quitté la CPTS ; son historique est conservé.") % {"member": member}
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect("governance:member_list", cpts_pk=self.cpts.pk)


class MemberInviteView(ManageMixin, View):
    http_method_names = ["post"]

    def post(self, request, cpts_pk, pk):
        member = get_object_or_404(Member, pk=pk, cpts=self.cpts)
        try:
            member_invite(member=member, invited_by=request.user)
            messages.success(request, _("Une invitation a été envoyée à %(email)s.") % {"email": member.email})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("governance:member_update", cpts_pk=self.cpts.pk, pk=member.pk)


class MemberImportView(ManageMixin, FormView):
    form_class = MemberImportForm
    template_name = "governance/member_import.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["columns"] = COLUMNS
        return ctx

    def form_valid(self, form):
        try:
            result = members_import(
                cpts=self.cpts, uploaded=form.cleaned_data["file"], imported_by=signed_in_user(self.request)
            )
        except MemberImportError as exc:
            return self.render_to_response(self.get_context_data(form=form, import_errors=exc.errors))
        messages.success(
            self.request,
            _("Import terminé : %(created)d membre(s) ajouté(s), %(updated)d modifié(s), %(unchanged)d inchangé(s).")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )
        return redirect(reverse("governance:overview", kwargs={"cpts_pk": self.cpts.pk}))


class MemberExportView(ManageMixin, View):
    """Every member who ever joined, in the import's format; contacts included (coordinators only reach it)."""

    http_method_names = ["get", "head"]

    def get(self, request, cpts_pk, fmt):
        if fmt not in ("csv", "xlsx"):
            raise Http404
        members = member_list(self.cpts)
        filename = f"membres-cpts-{self.cpts.pk}-{timezone.localdate():%Y-%m-%d}"
        return table_response(
            fmt, filename, export_columns(with_contacts=True), export_rows(members.iterator(), with_contacts=True)
        )


class MemberPersonalDataView(ManageMixin, View):
    """A member's personal data, on their request (RGPD access and portability), as JSON or CSV."""

    http_method_names = ["get", "head"]

    def get(self, request, cpts_pk, pk, fmt):
        from ..rgpd import member_personal_data, personal_data_response

        if fmt not in ("json", "csv"):
            raise Http404
        member = get_object_or_404(Member, pk=pk, cpts=self.cpts)
        return personal_data_response(member_personal_data(member=member), fmt, f"donnees-membre-{member.pk}")


class MemberEraseView(ManageMixin, View):
    """Erase a member's personal data on request (RGPD art. 17), keeping the anonymised counts."""

    http_method_names = ["post"]

    def post(self, request, cpts_pk, pk):
        from ..rgpd import member_erase

        member = get_object_or_404(Member, pk=pk, cpts=self.cpts)
        if request.POST.get("confirm") != "oui":
            messages.error(request, _("Cochez la case de confirmation : l'effacement est définitif."))
            return redirect("governance:member_update", cpts_pk=self.cpts.pk, pk=member.pk)
        member_erase(member=member, by=request.user)
        messages.success(
            request,
            _("Les données personnelles du membre sont effacées ; les comptes et les mandats restent exacts."),
        )
        return redirect("governance:member_list", cpts_pk=self.cpts.pk)
