"""The base every organisation page builds on: the CPTS from the URL, checked against a permission."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from accounts.views import CptsPermissionMixin

from ..permissions import can_manage_governance, can_view_governance, can_view_member_contacts, can_view_signatures

if TYPE_CHECKING:
    from django.views.generic.edit import ModelFormMixin

    _ModelFormBase = ModelFormMixin[Any, Any]  # the form mixins below are mixed with CreateView / UpdateView
else:
    _ModelFormBase = object


class CptsScopedMixin(CptsPermissionMixin):
    """The CPTS from ``cpts_pk``, checked against ``permission(user, cpts)`` (the shared base of CPTS pages)."""

    permission = can_view_governance

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["cpts"] = self.cpts
        ctx["can_manage"] = bool(can_manage_governance(user, self.cpts))
        ctx["show_contacts"] = bool(can_view_member_contacts(user, self.cpts))
        ctx["can_view_signatures"] = bool(can_view_signatures(user, self.cpts))
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
