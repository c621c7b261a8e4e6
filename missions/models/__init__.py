from .catalogue import ActionExample, IndicatorTemplate, Mission, SubMission
from .plans import (
    TRANSITION_LABELS,
    ActionPlan,
    ActionSheet,
    PlanningStep,
    ProblemFigure,
    SheetIndicator,
    SubAction,
)

__all__ = [
    "TRANSITION_LABELS",
    "ActionExample",
    "ActionPlan",
    "ActionSheet",
    "IndicatorTemplate",
    "Mission",
    "PlanningStep",
    "ProblemFigure",
    "SheetIndicator",
    "SubAction",
    "SubMission",
]
