from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.LetterListView.as_view(), name="letter_list"),
    path("cpts/<int:cpts_pk>/lettre/", views.LetterStartView.as_view(), name="letter_start"),
    path("lettres/<int:pk>/", views.LetterDetailView.as_view(), name="letter_detail"),
    path("lettres/<int:pk>/modifier/", views.LetterEditView.as_view(), name="letter_edit"),
    path(
        "lettres/<int:pk>/deposer/",
        views.LetterTransitionView.as_view(),
        {"transition": "submit"},
        name="letter_submit",
    ),
    path(
        "lettres/<int:pk>/deposer/confirmer/",
        views.LetterSubmitConfirmView.as_view(),
        name="letter_submit_confirm",
    ),
    path(
        "lettres/<int:pk>/prendre-en-charge/",
        views.LetterTransitionView.as_view(),
        {"transition": "open_review"},
        name="letter_open_review",
    ),
    path(
        "lettres/<int:pk>/transmettre/",
        views.LetterTransitionView.as_view(),
        {"transition": "transmit"},
        name="letter_transmit",
    ),
    path(
        "lettres/<int:pk>/abandonner/",
        views.LetterTransitionView.as_view(),
        {"transition": "withdraw"},
        name="letter_withdraw",
    ),
    path("lettres/<int:pk>/complements/", views.LetterComplementsView.as_view(), name="letter_complements"),
    path("lettres/<int:pk>/avis/", views.LetterOpinionView.as_view(), name="letter_opinion"),
    path("lettres/<int:pk>/decision/", views.LetterDecisionView.as_view(), name="letter_decision"),
    path(
        "lettres/<int:pk>/decision/preparer/",
        views.LetterPrepareDecisionView.as_view(),
        name="letter_prepare_decision",
    ),
    path("lettres/<int:pk>/messages/", views.LetterMessageView.as_view(), name="letter_message"),
    path("lettres/<int:pk>/notes/", views.LetterNoteView.as_view(), name="letter_note"),
    path("lettres/<int:pk>/fiche-signaletique/", views.IdentitySheetView.as_view(), name="letter_identity_sheet"),
    path("lettres/<int:pk>/versions/<int:number>/", views.VersionPreviewView.as_view(), name="version_preview"),
    path("lettres/<int:pk>/versions/<int:number>/modifications/", views.VersionDiffView.as_view(), name="version_diff"),
    path(
        "lettres/<int:pk>/documents/<int:document_pk>/",
        views.DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path("cpts/<int:cpts_pk>/projet-de-sante/", views.HealthProjectDetailView.as_view(), name="health_project_detail"),
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/ouvrir/",
        views.HealthProjectStartView.as_view(),
        name="health_project_start",
    ),
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/modifier/",
        views.HealthProjectEditView.as_view(),
        name="health_project_edit",
    ),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/lues/", views.NotificationReadView.as_view(), name="notification_read"),
]
