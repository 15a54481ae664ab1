from .audit import AuditEvent
from .jobs import Job
from .outbox import Notice, NoticeDelivery
from .statutes import Statutes
from .users import User

__all__ = ["AuditEvent", "Job", "Notice", "NoticeDelivery", "Statutes", "User"]
