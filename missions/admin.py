"""Reference data (missions, sub-missions, indicator catalogue, worked examples) editable by administrators."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ActionExample, ActionPlan, ActionSheet, IndicatorTemplate, Mission, SubMission


class SubMissionInline(admin.TabularInline):
    model = SubMission
    extra = 0


@admin.register(Mission)
class MissionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "short_title", "category", "start_delay_months", "deployment_delay_months"]
    inlines = [SubMissionInline]


@admin.register(IndicatorTemplate)
class IndicatorTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["label", "mission", "sub_mission", "kind", "direction", "unit"]
    list_filter = ["mission", "kind"]


@admin.register(ActionExample)
class ActionExampleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "mission", "sub_mission"]


@admin.register(ActionPlan)
class ActionPlanAdmin(SimpleHistoryAdmin):
    list_display = ["cpts", "planned_signature_date", "status"]
    readonly_fields = ["status"]


@admin.register(ActionSheet)
class ActionSheetAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "mission", "status", "version", "is_archived"]
    list_filter = ["mission", "status", "is_archived"]
    readonly_fields = ["status", "version"]
