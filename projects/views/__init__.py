from .documents import DocumentDownloadView, VersionDiffView, VersionPreviewView
from .health_project import HealthProjectDetailView, HealthProjectEditView, HealthProjectStartView
from .letters import (
    LetterDetailView,
    LetterEditView,
    LetterListView,
    LetterMessageView,
    LetterNoteView,
    LetterStartView,
    LetterSubmitConfirmView,
    LetterTransitionView,
)
from .notifications import NotificationListView, NotificationReadView
from .reviews import (
    IdentitySheetView,
    LetterComplementsView,
    LetterDecisionView,
    LetterOpinionView,
    LetterPrepareDecisionView,
)

__all__ = [
    "DocumentDownloadView",
    "HealthProjectDetailView",
    "HealthProjectEditView",
    "HealthProjectStartView",
    "IdentitySheetView",
    "LetterComplementsView",
    "LetterDecisionView",
    "LetterDetailView",
    "LetterEditView",
    "LetterListView",
    "LetterMessageView",
    "LetterNoteView",
    "LetterOpinionView",
    "LetterPrepareDecisionView",
    "LetterStartView",
    "LetterSubmitConfirmView",
    "LetterTransitionView",
    "NotificationListView",
    "NotificationReadView",
    "VersionDiffView",
    "VersionPreviewView",
]
