from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from cpts_portal.views import health

from . import otp, views

app_name = "accounts"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("sante/", health, name="health"),
    path("accessibilite/", TemplateView.as_view(template_name="accessibility.html"), name="accessibility"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("double-authentification/activer/", otp.OtpSetupView.as_view(), name="otp_setup"),
    path("double-authentification/", otp.OtpVerifyView.as_view(), name="otp_verify"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/modifie/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("mot-de-passe/oubli/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oubli/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/reinitialise/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
