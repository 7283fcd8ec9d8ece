"""Shared column helpers and the closed vocabularies of the app."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa

from ..spc import Direction  # noqa: F401  (one definition, re-exported by tracker.models)


def utcnow() -> datetime:
    """Naive UTC now: SQLite drops time zones, so every datetime in the database is naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def index_of_set(table: str, column: str) -> sa.Index:
    """`ix_<table>_<column>`, of the rows whose `column` is set only: for a link most rows leave
    empty. Indexing the NULLs too, SQLite's statistics count them as one key of (nearly) every
    row, so it judges a lookup by a bound value to read the whole table and scans it instead
    (a measure's bundle parts: 1.6 ms at 10x; the requests asking a site: 3 ms)."""
    where = sa.text(f"{column} IS NOT NULL")
    return sa.Index(f"ix_{table}_{column}", column, sqlite_where=where, postgresql_where=where)


def enum_column(enum_cls: type[enum.Enum], **kwargs) -> sa.Enum:
    """Store an Enum by its value as VARCHAR (no native PostgreSQL type to migrate)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda e: [m.value for m in e],
        **kwargs,
    )


class Labelled(enum.StrEnum):
    """An enum whose members read well in the interface."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class SiteRole(Labelled):
    MEMBER = "member"
    SITE_LEAD = "site_lead"


class CollaborativeRoleKind(Labelled):
    FACULTY = "faculty"
    PARTNER = "partner"  # lived-experience partner: reads and comments, never edits


class InvitationState(Labelled):
    PENDING = "pending"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Profession(Labelled):
    NURSE = "nurse"
    HCA = "healthcare_assistant"
    PHYSIOTHERAPIST = "physiotherapist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist"
    DIETITIAN = "dietitian"
    PHARMACIST = "pharmacist"
    ANAESTHETIST = "anaesthetist"
    SURGEON = "surgeon"
    DOCTOR = "doctor"
    MANAGER = "manager"
    IMPROVEMENT = "improvement_advisor"
    DATA_ANALYST = "data_analyst"
    PATIENT_PARTNER = "patient_partner"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"healthcare_assistant": "Healthcare assistant"}.get(self.value, super().label)


class Grade(Labelled):
    """How senior a team member is, so a site can see whether junior members lead with senior
    support (the seed's ask) without recording exact bands."""

    JUNIOR = "junior"
    MIDDLE = "middle"
    SENIOR = "senior"
    NOT_STATED = "not_stated"

    @property
    def label(self) -> str:
        return {"junior": "Junior (e.g. band 2–5, foundation or core trainee)",
                "middle": "Middle (e.g. band 6–7, registrar)",
                "senior": "Senior (e.g. band 8+, consultant)",
                "not_stated": "Not stated"}[self.value]

    @property
    def short(self) -> str:
        return self.value.replace("_", " ").capitalize()


class MeasureKind(Labelled):
    OUTCOME = "outcome"
    PROCESS = "process"
    BALANCING = "balancing"


class DataKind(Labelled):
    PROPORTION = "proportion"  # numerator / denominator
    COUNT = "count"
    CONTINUOUS = "continuous"


class Frequency(Labelled):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Stage(Labelled):
    PLAN = "plan"
    DO = "do"
    STUDY = "study"
    ACT = "act"
    COMPLETE = "complete"


class Decision(Labelled):
    ADOPT = "adopt"
    ADAPT = "adapt"
    ABANDON = "abandon"


class Visibility(Labelled):
    COLLABORATIVE = "collaborative"  # shared with every site in the collaborative (the default)
    SITE = "site"  # a draft kept to its own site


class EventKind(Labelled):
    LEARNING_SESSION = "learning_session"
    WEBINAR = "webinar"
    DEADLINE = "action_period_deadline"
    OTHER = "other"


class NotificationKind(Labelled):
    MENTION = "mention"
    REPLY = "reply"
    COMMENT = "comment"
    FEEDBACK_REQUESTED = "feedback_requested"
    FEEDBACK_GIVEN = "feedback_given"
    IDEA_ACTIVITY = "idea_activity"
    EVENT = "event"
    INVITE = "invite"
    SUSTAIN_CHECK = "sustain_check"  # a check-in after Adopt is due
    MEASURE_CONCERN = "measure_concern"  # a measure fell after a change was adopted
    MEASURE_IMPORT = "measure_import"  # a large import, run as a job, finished (or failed)
