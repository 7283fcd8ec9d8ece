"""Typed SQLAlchemy models, split by aggregate; import them from here."""

from .base import (
    CollaborativeRoleKind,
    DataKind,
    Decision,
    Direction,
    EventKind,
    Frequency,
    MeasureKind,
    NotificationKind,
    Profession,
    SiteRole,
    Stage,
    Visibility,
    utcnow,
)
from .people import Collaborative, CollaborativeRole, Invitation, Membership, Site, User
from .social import AuditEvent, Comment, LearningEvent, Notification
from .work import (
    ChangeIdea,
    Cycle,
    CycleQuestion,
    Driver,
    Measure,
    MeasureValue,
    Tag,
    cycle_measure,
    idea_tag,
)

__all__ = [
    "AuditEvent",
    "ChangeIdea",
    "Collaborative",
    "CollaborativeRole",
    "CollaborativeRoleKind",
    "Comment",
    "Cycle",
    "CycleQuestion",
    "DataKind",
    "Decision",
    "Direction",
    "Driver",
    "EventKind",
    "Frequency",
    "Invitation",
    "LearningEvent",
    "Measure",
    "MeasureKind",
    "MeasureValue",
    "Membership",
    "Notification",
    "NotificationKind",
    "Profession",
    "Site",
    "SiteRole",
    "Stage",
    "Tag",
    "User",
    "Visibility",
    "cycle_measure",
    "idea_tag",
    "utcnow",
]

from .history import CycleRevision  # noqa: E402

__all__ += ["CycleRevision"]
from .data import ImportBatch, MeasureValueChange, PhaseBreak, TallyEntry  # noqa: E402, F401
from .feedback import EmailChoice, Feedback, FeedbackRequest, NotificationPreference  # noqa: E402, F401
from .ideas import IdeaFollow, SearchDocument  # noqa: E402, F401
