"""Forms of the authentication pages, with French labels."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Attention : après 5 échecs le compte est bloqué."
        ),
        "inactive": _("Ce compte est désactivé."),
    }
