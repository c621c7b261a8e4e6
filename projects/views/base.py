"""The two generic bases of the dossier views: a page on one letter, and a POST-only action on one letter."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django_fsm import TransitionNotAllowed

from accounts.models import circuits_prefetch
from cpts_portal.views import PermissionDispatchMixin

from ..models import IntentionLetter


def error_messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc)]


class LetterMixin(PermissionDispatchMixin):
    """``self.letter`` from the URL's ``pk``, checked with ``permission(user, letter)`` when set
    (cpts_portal.views.PermissionDispatchMixin: the login, method, 404 and 403 steps, shared with the CPTS pages)."""

    letter_queryset = IntentionLetter.objects.select_related(
        "cpts__region", "regional_settings", "instructing_region", "carrying_structure"
    ).prefetch_related(circuits_prefetch("regional_settings__"))

    def get_letter(self) -> IntentionLetter:
        try:
            return self.letter_queryset.get(pk=self.kwargs["pk"])
        except IntentionLetter.DoesNotExist as exc:
            raise Http404 from exc

    def load_permission_object(self) -> IntentionLetter:
        self.letter = self.get_letter()
        return self.letter


class LetterActionView(LetterMixin, View):
    """POST only: call ``perform()`` (a service), show its outcome as a message, go back to the dossier.
    A refused or impossible action is reported in French; a view never assigns a status itself."""

    http_method_names = ["post"]
    success_message = ""

    def perform(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            self.perform()
        except PermissionDenied:
            raise
        except (TransitionNotAllowed, ValidationError) as exc:
            for text in error_messages(exc):
                messages.error(request, text)
        else:
            if self.success_message:
                messages.success(request, self.success_message)
        return redirect("projects:letter_detail", pk=self.letter.pk)
