from .documents import DocumentDownloadView, VersionDiffView, VersionPreviewView
from .health_project import HealthProjectDetailView, HealthProjectEditView, HealthProjectStartView
from .health_project_documents import (
    HealthProjectDocumentDownloadView,
    HealthProjectGridPreviewView,
    HealthProjectVersionDiffView,
    HealthProjectVersionView,
)
from .health_project_list import HealthProjectListView, RecognisedRegisterView
from .health_project_review import (
    HealthProjectComplementsView,
    HealthProjectOpinionView,
    HealthProjectPrepareDecisionView,
    HealthProjectReviewView,
    HealthProjectSignDecisionView,
    HealthProjectTransitionView,
)
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
    "HealthProjectComplementsView",
    "HealthProjectDocumentDownloadView",
    "HealthProjectGridPreviewView",
    "HealthProjectOpinionView",
    "HealthProjectPrepareDecisionView",
    "HealthProjectReviewView",
    "HealthProjectSignDecisionView",
    "HealthProjectTransitionView",
    "HealthProjectVersionDiffView",
    "HealthProjectVersionView",
    "HealthProjectListView",
    "RecognisedRegisterView",
    "NotificationReadView",
    "VersionDiffView",
    "VersionPreviewView",
]
