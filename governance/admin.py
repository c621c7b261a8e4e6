from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cpts_portal.uploads import UnscannedWarningAdminMixin

from .models import (
    Body,
    GovernanceDocument,
    InclusionAction,
    Mandate,
    Member,
    MemberCategory,
    MemberInvitation,
    Partner,
    Profession,
    Referent,
    StructureType,
)


@admin.register(MemberCategory)
class MemberCategoryAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "order"]


@admin.register(Profession)
class ProfessionAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "category", "order", "is_active"]
    list_filter = ["category", "is_active"]


@admin.register(StructureType)
class StructureTypeAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "category", "order"]


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["display_name", "cpts", "nature", "profession", "structure_type", "joined_on", "left_on"]
    list_filter = ["nature", "membership_kind"]
    search_fields = ["last_name", "first_name", "rpps", "siret", "finess"]
    list_select_related = ["cpts", "profession", "structure_type"]
    raw_id_fields = ["cpts", "commune", "user"]


@admin.register(Partner)
class PartnerAdmin(UnscannedWarningAdminMixin, SimpleHistoryAdmin):
    scan_status_field = "agreement_scan_status"
    list_display = ["name", "cpts", "is_formalised", "in_governance", "review_due_on", "agreement_scan_status"]
    raw_id_fields = ["cpts", "commune"]

    # Stored PDFs are never served from a media URL: once stored, the admin links to the protected download
    # instead of the file field (whose link pointed at the unserved media URL).
    def get_exclude(self, request, obj=None):
        return ["agreement"] if obj else []

    def get_readonly_fields(self, request, obj=None):
        return ["agreement_download"] if obj else []

    @admin.display(description=_("convention signée (PDF)"))
    def agreement_download(self, obj):
        if not obj.pk or not obj.agreement:
            return "—"
        url = reverse("governance:partner_agreement", kwargs={"cpts_pk": obj.cpts_id, "pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Télécharger la convention"))


class MandateInline(admin.TabularInline):
    model = Mandate
    raw_id_fields = ["member"]
    extra = 0


@admin.register(Body)
class BodyAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "cpts", "kind"]
    inlines = [MandateInline]
    raw_id_fields = ["cpts"]


@admin.register(Referent)
class ReferentAdmin(SimpleHistoryAdmin):
    list_display = ["member", "kind", "mission", "started_on", "ended_on"]
    raw_id_fields = ["cpts", "member"]


@admin.register(GovernanceDocument)
class GovernanceDocumentAdmin(UnscannedWarningAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "cpts", "kind", "document_date", "uploaded_at", "scan_status"]
    list_filter = ["scan_status", "kind"]
    raw_id_fields = ["cpts", "uploaded_by"]

    def get_exclude(self, request, obj=None):  # as the partners' agreements
        return ["file"] if obj else []

    def get_readonly_fields(self, request, obj=None):
        return ["download"] if obj else []

    @admin.display(description=_("fichier PDF"))
    def download(self, obj):
        if not obj.pk or not obj.file:
            return "—"
        url = reverse("governance:document_download", kwargs={"cpts_pk": obj.cpts_id, "pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Télécharger le document"))


@admin.register(InclusionAction)
class InclusionActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "cpts", "kind", "date", "audience_reached"]
    raw_id_fields = ["cpts"]


@admin.register(MemberInvitation)
class MemberInvitationAdmin(SimpleHistoryAdmin):
    list_display = ["member", "email", "created_at", "expires_at", "used_at"]
    readonly_fields = ["token_hash"]
    raw_id_fields = ["member", "invited_by"]
