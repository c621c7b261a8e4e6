"""Home page per role, organisations, the authentication pages, and the base view of every page about one CPTS."""

from typing import ClassVar

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView
from django_ratelimit.decorators import ratelimit

from cpts_portal.views import ObjectPermissionMixin, PermissionCheck, ViewMixinBase

from .choices import OrganisationKind
from .forms import LoginForm
from .models import Organisation, User
from .permissions import can_view_member_contacts, can_view_organisation
from .selectors import (
    cpts_list_for_user,
    membership_list_for_user,
    organisation_list_for_user,
    organisation_member_list,
    user_audiences,
)


def signed_in_user(request: HttpRequest) -> User:
    """The person of a request that a login-required view let through (a 403 for an anonymous one)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied(_("Vous devez vous connecter."))
    return user


class CptsPermissionMixin(LoginRequiredMixin, ViewMixinBase):
    """Every page about one CPTS: load ``self.cpts`` from the URL's ``cpts_pk`` and check ``permission(user, cpts)``.

    A wrong method is refused before anything is read; an unknown CPTS is a 404, a refusal a 403 with the
    Decision's French reason. Subclasses load what else they need in ``cpts_loaded``.
    """

    permission: ClassVar[PermissionCheck]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            return self.http_method_not_allowed(request, *args, **kwargs)
        try:
            self.cpts = self.cpts_queryset().get(pk=kwargs["cpts_pk"], kind=OrganisationKind.CPTS)
        except Organisation.DoesNotExist as exc:
            raise Http404(_("Cette CPTS n'existe pas.")) from exc
        decision = type(self).permission(request.user, self.cpts)
        if not decision:
            raise PermissionDenied(decision.reason)
        self.cpts_loaded()
        return super().dispatch(request, *args, **kwargs)

    def cpts_queryset(self):
        return Organisation.objects.select_related("region")

    def cpts_loaded(self) -> None:
        """Load what the page needs besides the CPTS (called once the permission is granted)."""


class HomeView(LoginRequiredMixin, TemplateView):
    """What awaits the person, one section per audience they belong to."""

    template_name = "accounts/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["audiences"] = user_audiences(user)
        ctx["memberships"] = membership_list_for_user(user)
        ctx["my_cpts"] = cpts_list_for_user(user)
        return ctx


class OrganisationListView(LoginRequiredMixin, ListView):
    template_name = "accounts/organisation_list.html"
    context_object_name = "organisations"
    paginate_by = 50

    def get_queryset(self):
        return organisation_list_for_user(self.request.user)


class OrganisationDetailView(ObjectPermissionMixin, DetailView):
    permission = can_view_organisation
    template_name = "accounts/organisation_detail.html"
    context_object_name = "organisation"

    def get_queryset(self):
        return Organisation.objects.select_related("region", "departement")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["members"] = organisation_member_list(self.object)
        ctx["show_contacts"] = bool(can_view_member_contacts(self.request.user, self.object))
        return ctx


# Beyond django-axes' per-account lockout, bound the attempts per address (credential stuffing, mail flooding).
@method_decorator(ratelimit(key="ip", rate="30/m", method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")


@method_decorator(ratelimit(key="ip", rate="5/h", method="POST", block=True), name="post")
@method_decorator(ratelimit(key="post:email", rate="3/h", method="POST", block=True), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")
