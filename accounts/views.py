"""Home page per role, organisations, and the authentication pages."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView, TemplateView
from django_ratelimit.decorators import ratelimit

from cpts_portal.views import ObjectPermissionMixin

from .forms import LoginForm
from .models import Organisation
from .permissions import can_view_member_contacts, can_view_organisation
from .selectors import (
    cpts_list_for_user,
    membership_list_for_user,
    organisation_list_for_user,
    organisation_member_list,
    user_audiences,
)


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
