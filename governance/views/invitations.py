"""The CPTS index of the navigation and the single-use invitation link."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from accounts.models import Organisation, User

from ..forms import InvitationAcceptForm
from ..selectors import cpts_list_visible_to, invitation_get_by_token
from ..services import invitation_accept, invitation_problem


class GovernanceIndexView(LoginRequiredMixin, TemplateView):
    """The CPTS whose organisation the person may see; straight to it when there is only one."""

    template_name = "governance/index.html"
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        self.cpts_list = self._visible_cpts()
        if len(self.cpts_list) == 1:
            return redirect("governance:overview", cpts_pk=self.cpts_list[0].pk)
        return super().get(request, *args, **kwargs)

    def _visible_cpts(self) -> list[Organisation]:
        return list(cpts_list_visible_to(self.request.user))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cpts_list"] = self.cpts_list
        return ctx


class InvitationAcceptView(FormView):
    """Open to anybody holding the link: the token is the credential, and it works once."""

    template_name = "governance/invitation_accept.html"
    form_class = InvitationAcceptForm
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.invitation = invitation_get_by_token(kwargs["token"])
        self.problem = invitation_problem(self.invitation)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["email"] = self.invitation.email if self.invitation else ""
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        invitation = self.invitation
        ctx["invitation"] = None if self.problem else invitation
        ctx["problem"] = self.problem
        ctx["signed_in_as_invited"] = bool(
            invitation and user.is_authenticated and user.email.lower() == invitation.email.lower()
        )
        ctx["signed_in_as_other"] = bool(invitation and user.is_authenticated and not ctx["signed_in_as_invited"])
        if invitation and not self.problem and not user.is_authenticated:
            ctx["account_exists"] = User.objects.filter(email__iexact=invitation.email).exists()
        return ctx

    def post(self, request, *args, **kwargs):
        if self.problem:
            return self.render_to_response(self.get_context_data(), status=410)
        user = request.user if request.user.is_authenticated else None
        if user is not None:
            return self._accept(user=user)
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        return self._accept(user=None, password=form.cleaned_data["password1"], form=form)

    def _accept(self, *, user, password="", form=None):
        invitation = self.invitation
        if invitation is None:  # post() answered 410 already: invitation_problem() refuses a missing one
            raise Http404
        try:
            account = invitation_accept(invitation=invitation, user=user, password=password)
        except ValidationError as exc:
            if form is None:
                # A signed-in person (no password form): an unbound form cannot carry the error, so say it in a
                # message on the same page.
                messages.error(self.request, " ".join(exc.messages))
                return redirect(self.request.path)
            form.add_error(None, exc)
            return self.form_invalid(form)
        if user is None:
            login(self.request, account, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request,
            _("Bienvenue ! Votre compte est rattaché à %(cpts)s.") % {"cpts": invitation.member.cpts.name},
        )
        return redirect("accounts:home")

    def get(self, request, *args, **kwargs):
        status = 410 if self.problem and self.invitation is not None else (404 if self.invitation is None else 200)
        return self.render_to_response(self.get_context_data(), status=status)
