"""Shared view pieces: the object-permission mixin every detail view uses, and error pages."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

if TYPE_CHECKING:
    from django.views import View
    from django.views.generic.base import ContextMixin
    from django.views.generic.detail import SingleObjectMixin

    from accounts.models import User
    from accounts.permissions import Decision

    # The mixins below are mixed with a View (and a SingleObjectMixin) at run time; the type checker is told so.
    class _ObjectViewBase(SingleObjectMixin[Any], View): ...

    class ViewMixinBase(ContextMixin, View): ...

else:
    _ObjectViewBase = object
    ViewMixinBase = object

# A permission check of ``<app>/permissions.py``: ``can_<action>(user, obj) -> Decision``.
PermissionCheck = Callable[[Any, Any], "Decision"]


def signed_in_user(request: HttpRequest) -> "User":
    """The person of a request that a login-required view let through (a 403 for an anonymous one)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied(_("Vous devez vous connecter."))
    return user


class ObjectPermissionMixin(LoginRequiredMixin, _ObjectViewBase):
    """Check ``permission(user, obj)`` (a function of a ``permissions`` module) on the view's object.

    A refused check raises ``PermissionDenied`` with the Decision's French reason, shown on the 403 page.
    """

    permission: ClassVar[PermissionCheck]

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        decision = type(self).permission(self.request.user, obj)
        if not decision:
            raise PermissionDenied(decision.reason)
        return obj


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
        from accounts.choices import OrganisationKind
        from accounts.models import Organisation

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
        from accounts.models import Organisation

        return Organisation.objects.select_related("region")

    def cpts_loaded(self) -> None:
        """Load what the page needs besides the CPTS (called once the permission is granted)."""


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
