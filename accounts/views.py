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

from cpts_portal.views import ObjectPermissionMixin, PermissionCheck, PermissionDispatchMixin

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


class CptsPermissionMixin(PermissionDispatchMixin):
    """Every page about one CPTS: ``self.cpts`` from the URL's ``cpts_pk``, checked with ``permission(user, cpts)``
    (cpts_portal.views.PermissionDispatchMixin: the login, method, 404 and 403 steps, shared with the dossiers).

    An unknown CPTS is a 404; subclasses load what else they need in ``cpts_loaded``.
    """

    permission: ClassVar[PermissionCheck]

    def load_permission_object(self) -> Organisation:
        try:
            self.cpts = self.cpts_queryset().get(pk=self.kwargs["cpts_pk"], kind=OrganisationKind.CPTS)
        except Organisation.DoesNotExist as exc:
            raise Http404(_("Cette CPTS n'existe pas.")) from exc
        return self.cpts

    def permission_granted(self) -> None:
        self.cpts_loaded()

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
