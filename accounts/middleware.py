"""Send people whose role requires two-factor authentication to set it up, then to confirm it at each login."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .selectors import requires_two_factor

# Pages reachable before the second factor is confirmed.
OPEN_URL_NAMES = ("accounts:otp_setup", "accounts:otp_verify", "accounts:logout")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.TWO_FACTOR_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and requires_two_factor(user)
        ):
            open_paths = {reverse(name) for name in OPEN_URL_NAMES}
            if request.path not in open_paths and not request.path.startswith(settings.STATIC_URL):
                from django_otp.plugins.otp_totp.models import TOTPDevice

                has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
                target = "accounts:otp_verify" if has_device else "accounts:otp_setup"
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
