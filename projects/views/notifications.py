"""The person's notifications in the portal."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from ..notifications import event_message
from ..selectors import notification_list_for_user
from ..services import notification_mark_read
from ..workflows.engine import definition_for


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "projects/notification_list.html"
    paginate_by = 30

    def get_queryset(self):
        return notification_list_for_user(self.request.user).prefetch_related("event__dossier__cpts")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Each notification links to its dossier's page (a letter by its id, a health project by its CPTS).
        ctx["rows"] = [
            (n, event_message(n.event, n.event.dossier), definition_for(n.event.dossier).url_of(n.event.dossier))
            for n in ctx["object_list"]
        ]
        return ctx


class NotificationReadView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()] or None
        count = notification_mark_read(user=request.user, notification_ids=ids)
        messages.success(request, _("%(count)s notification(s) marquée(s) comme lue(s).") % {"count": count})
        return redirect("projects:notification_list")
