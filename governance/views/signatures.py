"""Members' signatures of a version of the health project: the public signing page (the link is the credential),
the CPTS's rounds, who signed and who has not, reminders and paper signatures (issue 16, point 2)."""

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from ..choices import SignatureMethod
from ..forms import PaperSignatureForm, SignatureSignForm
from ..models import Signature
from ..permissions import can_manage_signatures, can_view_signatures
from ..selectors import signature_get_by_token, signature_round_get, signature_round_list, signature_round_status
from ..signatures import signature_link_problem, signature_record_paper, signature_round_remind, signature_sign
from .base import CptsScopedMixin
from .organisation import _pdf_response


class SignatureSignView(View):
    """Open to anybody holding the link: the token is the credential, and it signs once.

    An unknown token reads "lien invalide" and nothing else; a known one that can no longer sign says why (used,
    expired, superseded version) without showing the document. Nothing about the other members is shown.
    """

    template_name = "governance/signature_sign.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.signature = signature_get_by_token(kwargs["token"])
        self.problem = signature_link_problem(self.signature)
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form=None, *, status=200, signed: Signature | None = None):
        signature = None if self.problem else self.signature
        if signature is not None and form is None:
            form = SignatureSignForm(initial={"seen_sha256": signature.round.sha256})
        if self.problem:
            status = 404 if self.signature is None else 410
        context = {
            "problem": self.problem,
            "signature": signature,
            "signature_round": signature.round if signature else None,
            "form": form,
            "signed": signed,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self._render()

    def post(self, request, *args, **kwargs):
        if self.problem:
            return self._render()
        form = SignatureSignForm(request.POST)
        if not form.is_valid():
            return self._render(form)
        try:
            signed = signature_sign(
                token=kwargs["token"],
                seen_sha256=form.cleaned_data["seen_sha256"],
                ip_address=get_client_ip_address(request) or request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._render(form)
        return self._render(signed=signed)


class SignatureScopedMixin(CptsScopedMixin):
    permission = can_view_signatures

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage_signatures"] = bool(can_manage_signatures(self.request.user, self.cpts))
        return ctx


class SignatureManageMixin(SignatureScopedMixin):
    permission = can_manage_signatures


class SignatureRoundListView(SignatureScopedMixin, TemplateView):
    """The versions put to the members' signature, the newest first, with their counts."""

    template_name = "governance/signature_round_list.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rounds"] = list(signature_round_list(self.cpts))
        return ctx


class SignatureRoundDetailView(SignatureScopedMixin, TemplateView):
    """Who signed (date, method, and for the coordinators the address of a link signature), who has not; the
    coordinators remind and record paper signatures here."""

    template_name = "governance/signature_round_detail.html"
    http_method_names = ["get", "head"]

    def cpts_loaded(self) -> None:
        signature_round = signature_round_get(self.cpts, self.kwargs["pk"])
        if signature_round is None:
            raise Http404(_("Cette version à signer n'existe pas."))
        self.signature_round = signature_round

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["signature_round"] = self.signature_round
        ctx["status"] = signature_round_status(self.signature_round)
        ctx["paper_form"] = PaperSignatureForm()
        return ctx


class SignatureRoundRemindView(SignatureManageMixin, View):
    http_method_names = ["post"]

    def post(self, request, cpts_pk, pk):
        signature_round = signature_round_get(self.cpts, pk)
        if signature_round is None:
            raise Http404(_("Cette version à signer n'existe pas."))
        try:
            count = signature_round_remind(round=signature_round, by=request.user)
            messages.success(request, _("Un nouveau lien a été envoyé à %(count)d membre(s).") % {"count": count})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("governance:signature_round_detail", cpts_pk=self.cpts.pk, pk=signature_round.pk)


class SignaturePaperView(SignatureManageMixin, TemplateView):
    """A member's paper signature, recorded by a coordinator with its scan (the form is also on the round's page;
    this page shows it again with its errors)."""

    template_name = "governance/signature_paper.html"
    http_method_names = ["get", "post"]

    def cpts_loaded(self) -> None:
        self.signature = get_object_or_404(
            Signature.objects.select_related("round", "member"), pk=self.kwargs["pk"], round__cpts=self.cpts
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["signature"] = self.signature
        ctx["signature_round"] = self.signature.round
        ctx.setdefault("form", PaperSignatureForm())
        return ctx

    def post(self, request, *args, **kwargs):
        form = PaperSignatureForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                signature_record_paper(
                    signature=self.signature,
                    scan=form.cleaned_data["scan"],
                    signed_on=form.cleaned_data["signed_on"],
                    by=request.user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc)]:
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, _("La signature papier de %(member)s est enregistrée.") % {"member": self.signature.member}
                )
                return redirect("governance:signature_round_detail", cpts_pk=self.cpts.pk, pk=self.signature.round_id)
        return self.render_to_response(self.get_context_data(form=form))


class SignatureScanView(SignatureManageMixin, View):
    """The scan of a paper signature: the coordinators only (it carries a handwritten signature)."""

    http_method_names = ["get", "head"]

    def get(self, request, cpts_pk, pk):
        signature = get_object_or_404(
            Signature.objects.select_related("member"), pk=pk, round__cpts=self.cpts, method=SignatureMethod.PAPER
        )
        if not signature.scan:
            raise Http404(_("Aucun scan n'est enregistré pour cette signature."))
        return _pdf_response(signature.scan, _("signature %(member)s") % {"member": signature.member})
