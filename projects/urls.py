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
    path("projets-de-sante/", views.HealthProjectListView.as_view(), name="health_project_list"),
    path("cpts-reconnues/", views.RecognisedRegisterView.as_view(), name="recognised_register"),
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
    # The health project as a dossier (issue 16): transitions, review, decision, versions and their PDFs.
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/action/<str:transition>/",
        views.HealthProjectTransitionView.as_view(),
        name="health_project_transition",
    ),
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/examen/",
        views.HealthProjectReviewView.as_view(),
        name="health_project_review",
    ),
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/examen/avis/",
        views.HealthProjectOpinionView.as_view(),
        name="health_project_opinion",
    ),
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/examen/complements/",
        views.HealthProjectComplementsView.as_view(),
        name="health_project_complements",
    ),
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/examen/decision/preparer/",
        views.HealthProjectPrepareDecisionView.as_view(),
        name="health_project_prepare_decision",
    ),
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/examen/decision/signer/",
        views.HealthProjectSignDecisionView.as_view(),
        name="health_project_sign_decision",
    ),
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/versions/<int:number>/",
        views.HealthProjectVersionView.as_view(),
        name="health_project_version",
    ),
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/versions/<int:number>/modifications/",
        views.HealthProjectVersionDiffView.as_view(),
        name="health_project_version_diff",
    ),
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/versions/<int:number>/grille/",
        views.HealthProjectGridPreviewView.as_view(),
        name="health_project_grid_preview",
    ),
    path(
        "cpts/<int:cpts_pk>/projet-de-sante/documents/<int:document_pk>/",
        views.HealthProjectDocumentDownloadView.as_view(),
        name="health_project_document_download",
    ),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/lues/", views.NotificationReadView.as_view(), name="notification_read"),
]
