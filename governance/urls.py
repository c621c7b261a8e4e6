from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.GovernanceIndexView.as_view(), name="index"),
    path("invitation/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    # The single-use signature link: the token is the credential (no login).
    path("signature/<str:token>/", views.SignatureSignView.as_view(), name="signature_sign"),
    path("<int:cpts_pk>/", views.GovernanceOverviewView.as_view(), name="overview"),
    path("<int:cpts_pk>/membres/", views.MemberListView.as_view(), name="member_list"),
    path("<int:cpts_pk>/membres/ajouter/<str:nature>/", views.MemberCreateView.as_view(), name="member_create"),
    path("<int:cpts_pk>/membres/importer/", views.MemberImportView.as_view(), name="member_import"),
    path("<int:cpts_pk>/membres/export/<str:fmt>/", views.MemberExportView.as_view(), name="member_export"),
    path("<int:cpts_pk>/membres/<int:pk>/", views.MemberUpdateView.as_view(), name="member_update"),
    path("<int:cpts_pk>/membres/<int:pk>/depart/", views.MemberLeaveView.as_view(), name="member_leave"),
    path("<int:cpts_pk>/membres/<int:pk>/inviter/", views.MemberInviteView.as_view(), name="member_invite"),
    path(
        "<int:cpts_pk>/membres/<int:pk>/donnees-personnelles.<str:fmt>",
        views.MemberPersonalDataView.as_view(),
        name="member_personal_data",
    ),
    path("<int:cpts_pk>/membres/<int:pk>/effacer/", views.MemberEraseView.as_view(), name="member_erase"),
    path("<int:cpts_pk>/partenaires/", views.PartnerListView.as_view(), name="partner_list"),
    path("<int:cpts_pk>/partenaires/ajouter/", views.PartnerCreateView.as_view(), name="partner_create"),
    path("<int:cpts_pk>/partenaires/<int:pk>/", views.PartnerUpdateView.as_view(), name="partner_update"),
    path(
        "<int:cpts_pk>/partenaires/<int:pk>/convention/",
        views.PartnerAgreementView.as_view(),
        name="partner_agreement",
    ),
    path("<int:cpts_pk>/instances/", views.BodyListView.as_view(), name="body_list"),
    path("<int:cpts_pk>/instances/ajouter/", views.BodyCreateView.as_view(), name="body_create"),
    path(
        "<int:cpts_pk>/instances/<int:body_pk>/mandats/ajouter/",
        views.MandateCreateView.as_view(),
        name="mandate_create",
    ),
    path("<int:cpts_pk>/mandats/<int:pk>/terminer/", views.MandateEndView.as_view(), name="mandate_end"),
    path("<int:cpts_pk>/referents/ajouter/", views.ReferentCreateView.as_view(), name="referent_create"),
    path("<int:cpts_pk>/referents/<int:pk>/terminer/", views.ReferentEndView.as_view(), name="referent_end"),
    path("<int:cpts_pk>/documents/", views.DocumentListView.as_view(), name="document_list"),
    path("<int:cpts_pk>/documents/deposer/", views.DocumentUploadView.as_view(), name="document_upload"),
    path("<int:cpts_pk>/documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="document_download"),
    path("<int:cpts_pk>/inclusion/", views.InclusionActionListView.as_view(), name="inclusion_list"),
    path("<int:cpts_pk>/inclusion/ajouter/", views.InclusionActionCreateView.as_view(), name="inclusion_create"),
    path("<int:cpts_pk>/signatures/", views.SignatureRoundListView.as_view(), name="signature_round_list"),
    path("<int:cpts_pk>/signatures/<int:pk>/", views.SignatureRoundDetailView.as_view(), name="signature_round_detail"),
    path(
        "<int:cpts_pk>/signatures/<int:pk>/relancer/",
        views.SignatureRoundRemindView.as_view(),
        name="signature_round_remind",
    ),
    path(
        "<int:cpts_pk>/signatures/signature/<int:pk>/papier/",
        views.SignaturePaperView.as_view(),
        name="signature_paper",
    ),
    path("<int:cpts_pk>/signatures/signature/<int:pk>/scan/", views.SignatureScanView.as_view(), name="signature_scan"),
]
