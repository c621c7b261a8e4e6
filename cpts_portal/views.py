"""Shared view pieces: the object-permission mixin every detail view uses, and error pages."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


class ObjectPermissionMixin(LoginRequiredMixin):
    """Check ``permission(user, obj)`` (a function of a ``permissions`` module) on the view's object.

    A refused check raises ``PermissionDenied`` with the Decision's French reason, shown on the 403 page.
    """

    permission = None

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        decision = type(self).permission(self.request.user, obj)
        if not decision:
            raise PermissionDenied(decision.reason)
        return obj


def permission_denied(request, exception=None):
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def rate_limited(request, exception=None):
    return render(request, "429.html", status=429)


def server_error(request):
    return render(request, "500.html", status=500)


@require_GET
def health(request):
    """Liveness probe for the load balancer (and the bare reference view of the load benchmark)."""
    return JsonResponse({"status": "ok"})
