"""Administration of the funding scales (reference data an administrator adds for each amendment) and budgets."""

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Budget, BudgetLine, BudgetPart, FundingScale, ScaleMission, ScaleMissionAmount, ScaleSize
from .services import scale_duplicate

# A copy waits on this date until the administrator sets the real one, so it never takes over by accident.
PLACEHOLDER_DATE = dt.date(2999, 12, 31)


class ScaleSizeInline(admin.TabularInline):
    model = ScaleSize
    extra = 0
    max_num = 4


class ScaleMissionInline(admin.TabularInline):
    model = ScaleMission
    extra = 0
    show_change_link = True
    fields = ["code", "short_label", "label", "is_core", "variable_on_crisis", "split_published", "order"]


@admin.register(FundingScale)
class FundingScaleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "effective_from", "additional_operation_until", "increase_rate"]
    inlines = [ScaleSizeInline, ScaleMissionInline]
    actions = ["duplicate"]
    fieldsets = [
        (None, {"fields": ["name", "code", "effective_from", "source"]}),
        (
            _("Fonctionnement additionnel et accompagnement"),
            {"fields": ["additional_operation_until", "accompaniment_months"]},
        ),
        (
            _("Majoration taille 4++"),
            {
                "fields": [
                    "increase_rate",
                    "increase_min_taille",
                    "increase_threshold",
                    "increase_comparison",
                    "increase_counts",
                    "increase_applies_to",
                ]
            },
        ),
    ]

    @admin.action(description=_("Dupliquer le barème (pour un nouvel avenant)"))
    def duplicate(self, request, queryset):
        for scale in queryset:
            try:
                copy = scale_duplicate(
                    scale=scale,
                    code=f"{scale.code}-copie"[:50],
                    name=f"{scale.name} (copie)"[:100],
                    effective_from=PLACEHOLDER_DATE,
                )
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
                continue
            self.message_user(
                request,
                _("« %(name)s » créé, applicable au 31/12/2999 : fixez sa date d'entrée en vigueur et ses montants.")
                % {"name": copy.name},
                messages.SUCCESS,
            )


class ScaleMissionAmountInline(admin.TabularInline):
    model = ScaleMissionAmount
    extra = 0
    max_num = 4


@admin.register(ScaleMission)
class ScaleMissionAdmin(SimpleHistoryAdmin):
    list_display = ["scale", "code", "short_label", "is_core", "variable_on_crisis"]
    list_filter = ["scale"]
    inlines = [ScaleMissionAmountInline]


class BudgetPartInline(admin.TabularInline):
    model = BudgetPart
    extra = 0
    show_change_link = True
    fields = ["label", "kind", "mission_code", "order"]


@admin.register(Budget)
class BudgetAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "scale", "taille", "contract_year", "status", "updated_at"]
    list_filter = ["status", "scale"]
    readonly_fields = ["status"]
    inlines = [BudgetPartInline]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(BudgetPart)
class BudgetPartAdmin(SimpleHistoryAdmin):
    list_display = ["label", "budget", "kind", "mission_code"]
    inlines = [BudgetLineInline]
