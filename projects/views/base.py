"""The two generic bases of the dossier views: a page on one letter, and a POST-only action on one letter."""

from typing import ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django_fsm import TransitionNotAllowed

from cpts_portal.views import PermissionCheck, ViewMixinBase

from ..models import IntentionLetter


def error_messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc)]


class LetterMixin(LoginRequiredMixin, ViewMixinBase):
    """Load ``self.letter`` from the URL's ``pk`` and check ``permission(user, letter)``; a refusal is a 403 with
    the Decision's French reason."""

    permission: ClassVar[PermissionCheck | None] = None
    letter_queryset = IntentionLetter.objects.select_related(
        "cpts__region", "regional_settings__letter_desk", "instructing_region", "carrying_structure"
    ).prefetch_related("regional_settings__letter_reviewers")

    def get_letter(self) -> IntentionLetter:
        try:
            return self.letter_queryset.get(pk=self.kwargs["pk"])
        except IntentionLetter.DoesNotExist as exc:
            raise Http404 from exc

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.letter = self.get_letter()
        permission = type(self).permission
        if permission is not None:
            decision = permission(request.user, self.letter)
            if not decision:
                raise PermissionDenied(decision.reason)
        return super().dispatch(request, *args, **kwargs)


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
