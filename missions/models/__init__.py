from .catalogue import ActionExample, IndicatorTemplate, Mission, SubMission
from .documents import PlanDocument
from .intros import MissionIntro
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
    "MissionIntro",
    "PlanDocument",
    "PlanningStep",
    "ProblemFigure",
    "SheetIndicator",
    "SubAction",
    "SubMission",
]
