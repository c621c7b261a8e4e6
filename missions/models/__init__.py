from .catalogue import ActionExample, IndicatorTemplate, Mission, SubMission
from .plans import (
    ActionPlan,
    ActionSheet,
    PlanningStep,
    ProblemFigure,
    SheetIndicator,
    SheetStatusChange,
    SubAction,
)

__all__ = [
    "ActionExample",
    "ActionPlan",
    "ActionSheet",
    "IndicatorTemplate",
    "Mission",
    "PlanningStep",
    "ProblemFigure",
    "SheetIndicator",
    "SheetStatusChange",
    "SubAction",
    "SubMission",
]
