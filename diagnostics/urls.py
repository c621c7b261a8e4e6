from django.urls import path, re_path

from . import views

app_name = "diagnostics"

urlpatterns = [
    path("", views.TerritoryListView.as_view(), name="territory_list"),
    path("communes/recherche/", views.CommuneSearchView.as_view(), name="commune_search"),
    path("indicateurs/importer/", views.NationalIndicatorImportView.as_view(), name="indicator_import_national"),
    path("<int:cpts_pk>/", views.TerritoryEditView.as_view(), name="territory_edit"),
    path("<int:cpts_pk>/communes/ajouter/", views.TerritoryCommuneAddView.as_view(), name="territory_commune_add"),
    path("<int:cpts_pk>/epci/ajouter/", views.TerritoryEpciAddView.as_view(), name="territory_epci_add"),
    path(
        "<int:cpts_pk>/communes/<int:entry_pk>/retirer/",
        views.TerritoryCommuneRemoveView.as_view(),
        name="territory_commune_remove",
    ),
    path(
        "<int:cpts_pk>/communes/<int:entry_pk>/en-partie/",
        views.TerritoryCommunePartView.as_view(),
        name="territory_commune_part",
    ),
    path(
        "<int:cpts_pk>/communes/<int:entry_pk>/entiere/",
        views.TerritoryCommuneWholeView.as_view(),
        name="territory_commune_whole",
    ),
    path(
        "<int:cpts_pk>/communes/<int:entry_pk>/explication/",
        views.TerritoryConflictExplainView.as_view(),
        name="territory_conflict_explain",
    ),
    path("<int:cpts_pk>/region/", views.TerritoryRegionView.as_view(), name="territory_region"),
    path("<int:cpts_pk>/diagnostic/", views.DiagnosticDetailView.as_view(), name="diagnostic_detail"),
    path("<int:cpts_pk>/diagnostic/modifier/", views.DiagnosticEditView.as_view(), name="diagnostic_edit"),
    path("<int:cpts_pk>/diagnostic/annexe/", views.DiagnosticAnnexView.as_view(), name="diagnostic_annex"),
    path(
        "<int:cpts_pk>/diagnostic/particularites/",
        views.ParticularityEditView.as_view(),
        name="particularity_edit",
    ),
    path(
        "<int:cpts_pk>/diagnostic/liens/ajouter/",
        views.DiagnosticLinkFormView.as_view(),
        name="diagnostic_link_create",
    ),
    path(
        "<int:cpts_pk>/diagnostic/liens/<int:link_pk>/modifier/",
        views.DiagnosticLinkFormView.as_view(),
        name="diagnostic_link_edit",
    ),
    path(
        "<int:cpts_pk>/diagnostic/liens/<int:link_pk>/supprimer/",
        views.DiagnosticLinkDeleteView.as_view(),
        name="diagnostic_link_delete",
    ),
    re_path(
        r"^(?P<cpts_pk>[0-9]+)/diagnostic/export\.(?P<fmt>csv|xlsx)$",
        views.DiagnosticExportView.as_view(),
        name="diagnostic_export",
    ),
    path(
        "<int:cpts_pk>/indicateurs/importer/",
        views.TerritoryIndicatorImportView.as_view(),
        name="indicator_import_territory",
    ),
]
