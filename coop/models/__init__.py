from .audit import AuditEvent
from .outbox import Notice, NoticeDelivery
from .statutes import Statutes
from .users import User

__all__ = ["AuditEvent", "Notice", "NoticeDelivery", "Statutes", "User"]
