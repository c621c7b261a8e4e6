from django.urls import path

from . import views

app_name = "missions"

urlpatterns = [
    path("", views.CptsIndexView.as_view(), name="index"),
    path("<int:cpts_pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("<int:cpts_pk>/ouvrir/", views.PlanStartView.as_view(), name="plan_start"),
    path("<int:cpts_pk>/signature/", views.PlanSettingsView.as_view(), name="plan_settings"),
    path("<int:cpts_pk>/valider/", views.PlanValidateView.as_view(), name="plan_validate"),
    path(
        "<int:cpts_pk>/missions/<str:code>/etat-des-lieux/",
        views.MissionIntroView.as_view(),
        name="mission_intro_update",
    ),
    path("<int:cpts_pk>/planning/", views.PlanningView.as_view(), name="plan_planning"),
    path("<int:cpts_pk>/export/<str:fmt>/", views.PlanExportView.as_view(), name="plan_export"),
    path("<int:cpts_pk>/fiches-action/pdf/", views.PlanPdfView.as_view(), name="plan_pdf"),
    path(
        "<int:cpts_pk>/fiches-action/pdf/telecharger/",
        views.PlanDocumentDownloadView.as_view(),
        name="plan_pdf_download",
    ),
    path("<int:cpts_pk>/fiches/ajouter/", views.SheetCreateView.as_view(), name="sheet_create"),
    path("<int:cpts_pk>/fiches/exemples/", views.SheetFromExampleView.as_view(), name="sheet_from_example"),
    path("<int:cpts_pk>/fiches/<int:pk>/", views.SheetDetailView.as_view(), name="sheet_detail"),
    path("<int:cpts_pk>/fiches/<int:pk>/modifier/", views.SheetUpdateView.as_view(), name="sheet_update"),
    path("<int:cpts_pk>/fiches/<int:pk>/pdf/", views.SheetPdfView.as_view(), name="sheet_pdf"),
    path(
        "<int:cpts_pk>/fiches/<int:pk>/pdf/telecharger/",
        views.PlanDocumentDownloadView.as_view(),
        name="sheet_pdf_download",
    ),
    path("<int:cpts_pk>/fiches/<int:pk>/dupliquer/", views.SheetDuplicateView.as_view(), name="sheet_duplicate"),
    path("<int:cpts_pk>/fiches/<int:pk>/deplacer/", views.SheetMoveView.as_view(), name="sheet_move"),
    path("<int:cpts_pk>/fiches/<int:pk>/archiver/", views.SheetArchiveView.as_view(), name="sheet_archive"),
    path(
        "<int:cpts_pk>/fiches/<int:pk>/valider-pilote/",
        views.SheetPilotValidateView.as_view(),
        name="sheet_pilot_validate",
    ),
    path(
        "<int:cpts_pk>/fiches/<int:pk>/valider-au-nom-du-pilote/",
        views.SheetValidateForPilotView.as_view(),
        name="sheet_validate_for_pilot",
    ),
    path(
        "<int:cpts_pk>/fiches/<int:pk>/inviter-pilote/", views.SheetInvitePilotView.as_view(), name="sheet_invite_pilot"
    ),
    path("<int:cpts_pk>/fiches/<int:pk>/valider/", views.SheetValidateView.as_view(), name="sheet_validate"),
    path(
        "<int:cpts_pk>/fiches/<int:pk>/indicateurs/ajouter/",
        views.IndicatorFormView.as_view(),
        name="indicator_create",
    ),
    path(
        "<int:cpts_pk>/fiches/<int:pk>/indicateurs/<int:indicator_pk>/",
        views.IndicatorFormView.as_view(),
        name="indicator_update",
    ),
    path(
        "<int:cpts_pk>/fiches/<int:pk>/indicateurs/<int:indicator_pk>/supprimer/",
        views.IndicatorDeleteView.as_view(),
        name="indicator_delete",
    ),
]
