from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Departement,
    Membership,
    Organisation,
    Region,
    RegionalSettings,
    ReviewerDelay,
    StageCircuit,
    TemplateSection,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class StageCircuitInline(admin.StackedInline):
    """One circuit per stage, edited with its regional settings (versioned together by ``valid_from``)."""

    model = StageCircuit
    extra = 0
    max_num = 3
    filter_horizontal = ["reviewers"]
    fields = ["stage", "desk", "reviewers", "opinion_delay_days", "decision_delay_months", "grid_code"]


class TemplateSectionInline(admin.TabularInline):
    """The health project's sections in the order and with the titles of the region's ARS template."""

    model = TemplateSection
    extra = 0
    fields = ["order", "code", "title"]


@admin.register(StageCircuit)
class StageCircuitAdmin(SimpleHistoryAdmin):
    """A circuit on its own page, for the delays that differ by organisation (health project: DD, CPAM, MSA…)."""

    class ReviewerDelayInline(admin.TabularInline):
        model = ReviewerDelay
        extra = 0
        autocomplete_fields = ["organisation"]

    list_display = ["settings", "stage", "desk", "opinion_delay_days", "decision_delay_months", "grid_code"]
    list_filter = ["stage", "settings__region"]
    filter_horizontal = ["reviewers"]
    inlines = [ReviewerDelayInline]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "region", "departement", "profession", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(RegionalSettings)
class RegionalSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["region", "valid_from", "letter_circuit", "letter_funding", "opinions_visible_to_cpts"]
    list_filter = ["region", "letter_circuit"]
    inlines = [StageCircuitInline, TemplateSectionInline]
    fieldsets = (
        (None, {"fields": ("region", "valid_from", "notes")}),
        (
            _("Circuit de la lettre d'intention"),
            {
                "fields": (
                    "letter_circuit",
                    "first_meeting_delay_days",
                    "opinions_visible_to_cpts",
                )
            },
        ),
        (_("Formulaire de la lettre"), {"fields": ("priority_themes", "identity_sheet_required")}),
        (
            _("Projet de santé : signatures, délai de 2 mois, alertes"),
            {"fields": ("signature_rule", "signature_quorum_percent", "complements_clock", "tacit_alert_days")},
        ),
        (_("Périmètre des organismes départementaux"), {"fields": ("departmental_bodies_region_wide",)}),
        (
            _("Ce qu'ouvre la validation"),
            {
                "fields": (
                    "letter_funding",
                    "fir_engineering_amount",
                    "fir_instalments",
                    "fir_period_months",
                    "support_months",
                )
            },
        ),
    )


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "phone")}),
        (_("Droits"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )
    inlines = [MembershipInline]
