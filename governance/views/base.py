"""The base every organisation page builds on: the CPTS from the URL, checked against a permission."""

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..permissions import can_manage_governance, can_view_governance, can_view_member_contacts
from ..selectors import cpts_queryset


class CptsScopedMixin(LoginRequiredMixin):
    """Load ``self.cpts`` from ``cpts_pk`` and check ``permission(user, cpts)``; refuse with its French reason."""

    permission = can_view_governance

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.cpts = get_object_or_404(cpts_queryset(), pk=kwargs["cpts_pk"])
        decision = type(self).permission(request.user, self.cpts)
        if not decision:
            raise PermissionDenied(decision.reason)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["cpts"] = self.cpts
        ctx["can_manage"] = bool(can_manage_governance(user, self.cpts))
        ctx["show_contacts"] = bool(can_view_member_contacts(user, self.cpts))
        return ctx


class ManageMixin(CptsScopedMixin):
    permission = can_manage_governance


def date_param(request, name: str = "date") -> dt.date:
    """A date from the query string (yyyy-mm-dd or dd/mm/yyyy), today when absent or unreadable."""
    raw = request.GET.get(name, "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return timezone.localdate()
