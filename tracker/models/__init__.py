"""Typed SQLAlchemy models, one module per aggregate; import them from here.

people (collaboratives, sites, users and roles) · ideas (drivers, change ideas, follows) ·
measures (measures and their data) · cycles (PDSA cycles and revisions) · conversation
(comments and feedback) · notifications · events · audit · search. Permission predicates
(`can_view`, `can_edit`, ...) live on the models they protect.
"""

from .attachments import Attachment
from .audit import AuditEvent
from .base import (
    CollaborativeRoleKind,
    DataKind,
    Decision,
    Direction,
    EventKind,
    Frequency,
    Grade,
    InvitationState,
    MeasureKind,
    NotificationKind,
    Profession,
    SiteRole,
    Stage,
    Visibility,
    utcnow,
)
from .conversation import SECTIONS, Comment, Feedback, FeedbackFollowup, FeedbackRequest
from .cycles import (
    STALLED_AFTER,
    Cycle,
    CycleQuestion,
    CycleRevision,
    SiteStanding,
    cycle_measure,
)
from .events import LearningEvent, PlannedPeriod
from .ideas import ChangeIdea, Driver, IdeaFollow, IdeaSiteStatus, IdeaTotal, Tag, idea_tag
from .idempotency import UsedKey
from .measures import (
    ChartNote,
    ImportBatch,
    Measure,
    MeasureSummary,
    MeasureValue,
    MeasureValueChange,
    PhaseBreak,
    PointFlag,
    ReportingPeriod,
    SubmittedFigure,
    TallyEntry,
)
from .notifications import EmailChoice, Notification, NotificationPreference
from .people import Collaborative, CollaborativeRole, Invitation, Membership, Site, User
from .search import SearchDocument
from .sustain import (
    PROGRESS_SCALE,
    CheckAnswer,
    ProgressScore,
    ProgressScoreRevision,
    SustainAlert,
    SustainCheck,
    progress_label,
)
from .tokens import ApiToken, TokenScope
from .versions import DataVersion, SiteVersion

__all__ = [
    "PROGRESS_SCALE",
    "CheckAnswer",
    "ProgressScore",
    "ProgressScoreRevision",
    "SustainAlert",
    "SustainCheck",
    "progress_label",
    "SECTIONS",
    "STALLED_AFTER",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "ChangeIdea",
    "ChartNote",
    "Collaborative",
    "CollaborativeRole",
    "CollaborativeRoleKind",
    "Comment",
    "Cycle",
    "CycleQuestion",
    "CycleRevision",
    "DataKind",
    "DataVersion",
    "Decision",
    "Direction",
    "Driver",
    "EmailChoice",
    "EventKind",
    "Feedback",
    "FeedbackFollowup",
    "FeedbackRequest",
    "Frequency",
    "IdeaFollow",
    "IdeaSiteStatus",
    "IdeaTotal",
    "ImportBatch",
    "Invitation",
    "InvitationState",
    "LearningEvent",
    "Measure",
    "MeasureKind",
    "MeasureSummary",
    "MeasureValue",
    "MeasureValueChange",
    "Membership",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "PhaseBreak",
    "PointFlag",
    "ReportingPeriod",
    "SubmittedFigure",
    "Profession",
    "PlannedPeriod",
    "Grade",
    "SearchDocument",
    "SiteStanding",
    "Site",
    "SiteRole",
    "SiteVersion",
    "Stage",
    "Tag",
    "TallyEntry",
    "TokenScope",
    "UsedKey",
    "User",
    "Visibility",
    "cycle_measure",
    "idea_tag",
    "utcnow",
]
