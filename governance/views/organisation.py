"""Partners, bodies and mandates, referents, documents and the inclusion dynamic of a CPTS."""

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from django.views.generic.edit import CreateView, UpdateView

from accounts.views import signed_in_user

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from ..forms import (
    BodyForm,
    DocumentForm,
    EndForm,
    InclusionActionForm,
    MandateForm,
    PartnerForm,
    ReferentForm,
)
from ..models import Body, GovernanceDocument, InclusionAction, Mandate, Partner, Referent
from ..permissions import can_view_documents
from ..selectors import (
    body_list,
    bureau_status,
    document_list,
    inclusion_action_list,
    inclusion_totals,
    partner_list,
    referent_list,
)
from ..services import document_upload, mandate_create, mandate_end, partner_save, referent_create, referent_end
from .base import CptsScopedMixin, ManageMixin, _ModelFormBase, date_param
from .members import _add_errors


def _pdf_response(field_file, title: str) -> FileResponse:
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Le fichier n'est plus disponible.")) from exc
    response = FileResponse(handle, content_type="application/pdf", filename=f"{slugify(title) or 'document'}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


# Partners


class PartnerListView(CptsScopedMixin, ListView):
    template_name = "governance/partner_list.html"
    context_object_name = "partners"
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return partner_list(self.cpts)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = timezone.localdate()
        ctx["can_view_documents"] = bool(can_view_documents(self.request.user, self.cpts))
        return ctx


class PartnerFormMixin(ManageMixin, _ModelFormBase):
    model = Partner
    form_class = PartnerForm
    template_name: str | None = "governance/partner_form.html"

    def form_valid(self, form):
        partner = form.save(commit=False)
        partner.cpts = self.cpts
        try:
            partner_save(partner=partner, agreement=form.cleaned_data.get("agreement_file"))
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "agreement" in exc.error_dict:
                form.add_error("agreement_file", exc.error_dict.pop("agreement"))
            _add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Le partenaire « %(name)s » est enregistré.") % {"name": partner.name})
        return redirect("governance:partner_list", cpts_pk=self.cpts.pk)


class PartnerCreateView(PartnerFormMixin, CreateView):
    pass


class PartnerUpdateView(PartnerFormMixin, UpdateView):
    def get_object(self, queryset=None):
        return get_object_or_404(Partner, pk=self.kwargs["pk"], cpts=self.cpts)


class PartnerAgreementView(CptsScopedMixin, View):
    permission = can_view_documents
    http_method_names = ["get", "head"]

    def get(self, request, cpts_pk, pk):
        partner = get_object_or_404(Partner, pk=pk, cpts=self.cpts)
        if not partner.agreement:
            raise Http404
        return _pdf_response(partner.agreement, f"convention-{partner.name}")


# Bodies, mandates, referents


class BodyListView(CptsScopedMixin, TemplateView):
    template_name = "governance/body_list.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        on = date_param(self.request)
        bodies = body_list(self.cpts, on)
        ctx.update(on=on, bodies=bodies, bureau=bureau_status(bodies), referents=referent_list(self.cpts, on))
        ctx["end_form"] = EndForm(initial={"ended_on": timezone.localdate()})
        return ctx


class BodyCreateView(ManageMixin, CreateView):
    model = Body
    form_class = BodyForm
    template_name = "governance/simple_form.html"
    extra_context = {"title": gettext_lazy("Ajouter une instance")}

    def form_valid(self, form):
        form.instance.cpts = self.cpts
        form.save()
        messages.success(self.request, _("L'instance est enregistrée."))
        return redirect("governance:body_list", cpts_pk=self.cpts.pk)


class _CptsMemberFormView(ManageMixin, FormView):
    """A form choosing one of the CPTS's members from a date (mandates, referents)."""

    template_name = "governance/simple_form.html"
    success_message: "StrOrPromise"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cpts": self.cpts}

    def get_initial(self):
        return {"started_on": timezone.localdate()}

    def save(self, data: dict) -> None:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.save(form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect("governance:body_list", cpts_pk=self.cpts.pk)


class MandateCreateView(_CptsMemberFormView):
    form_class = MandateForm
    extra_context = {"title": gettext_lazy("Ajouter un mandat")}
    success_message = gettext_lazy("Le mandat est enregistré.")

    def get_body(self):
        return get_object_or_404(Body, pk=self.kwargs["body_pk"], cpts=self.cpts)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "subtitle": str(self.get_body())}

    def save(self, data):
        mandate_create(
            body=self.get_body(),
            member=data["member"],
            role=data["role"],
            started_on=data["started_on"],
            has_vote=data["has_vote"],
        )


class ReferentCreateView(_CptsMemberFormView):
    form_class = ReferentForm
    extra_context = {"title": gettext_lazy("Désigner un référent")}
    success_message = gettext_lazy("Le référent est désigné.")

    def save(self, data):
        referent_create(
            cpts=self.cpts,
            kind=data["kind"],
            member=data["member"],
            mission=data["mission"],
            started_on=data["started_on"],
        )


class _EndView(ManageMixin, View):
    """POST-only: end a dated role (mandate, referent) on the date given; refusals come back as a message."""

    http_method_names = ["post"]
    success_message: "StrOrPromise"

    def end(self, pk: int, on) -> None:
        raise NotImplementedError

    def post(self, request, cpts_pk, pk):
        form = EndForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Indiquez une date de fin valide."))
            self.end(pk, form.cleaned_data["ended_on"])
            messages.success(request, self.success_message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("governance:body_list", cpts_pk=self.cpts.pk)


class MandateEndView(_EndView):
    success_message = gettext_lazy("Le mandat est terminé.")

    def end(self, pk, on):
        mandate_end(mandate=get_object_or_404(Mandate, pk=pk, body__cpts=self.cpts), on=on)


class ReferentEndView(_EndView):
    success_message = gettext_lazy("Le rôle de référent est terminé.")

    def end(self, pk, on):
        referent_end(referent=get_object_or_404(Referent, pk=pk, cpts=self.cpts), on=on)


# Documents


class DocumentListView(CptsScopedMixin, ListView):
    template_name = "governance/document_list.html"
    context_object_name = "documents"
    permission = can_view_documents
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return document_list(self.cpts)


class DocumentUploadView(ManageMixin, FormView):
    form_class = DocumentForm
    template_name = "governance/simple_form.html"
    extra_context = {"title": gettext_lazy("Déposer un document"), "multipart": True}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            document_upload(
                cpts=self.cpts,
                kind=data["kind"],
                title=data["title"],
                document_date=data["document_date"],
                uploaded=data["file"],
                uploaded_by=signed_in_user(self.request),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Le document est déposé."))
        return redirect("governance:document_list", cpts_pk=self.cpts.pk)


class DocumentDownloadView(CptsScopedMixin, View):
    permission = can_view_documents
    http_method_names = ["get", "head"]

    def get(self, request, cpts_pk, pk):
        document = get_object_or_404(GovernanceDocument, pk=pk, cpts=self.cpts)
        return _pdf_response(document.file, document.title)


# Inclusion dynamic


class InclusionActionListView(CptsScopedMixin, ListView):
    template_name = "governance/inclusion_list.html"
    context_object_name = "actions"
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return inclusion_action_list(self.cpts)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["totals"] = inclusion_totals(self.cpts)
        return ctx


class InclusionActionCreateView(ManageMixin, CreateView):
    model = InclusionAction
    form_class = InclusionActionForm
    template_name = "governance/simple_form.html"
    extra_context = {"title": gettext_lazy("Ajouter une action d'information")}

    def get_initial(self):
        return {"date": timezone.localdate()}

    def form_valid(self, form):
        form.instance.cpts = self.cpts
        form.save()
        messages.success(self.request, _("L'action est enregistrée."))
        return redirect("governance:inclusion_list", cpts_pk=self.cpts.pk)
