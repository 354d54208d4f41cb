"""The audit trail: record who decided what, and read a document's decisions back."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from library.models import Decision

Actor = AbstractBaseUser | AnonymousUser | None


def acting(user: Actor) -> AbstractBaseUser | None:
    """The user to record for a decision: None for a command or an anonymous visitor."""
    return user if user is not None and user.is_authenticated else None


def record(
    action: Decision.Action,
    by: Actor,
    *,
    document_id: int | None = None,
    corpus: str = "",
    subject: str = "",
    detail: str = "",
) -> Decision:
    """Record a decision made by ``by`` (None: a command run by an operator)."""
    user = acting(by)
    return Decision.objects.create(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        document_id=document_id,
        corpus=corpus,
        subject=subject,
        detail=detail[: Decision._meta.get_field("detail").max_length],
    )


def decisions_on(document_id: int) -> QuerySet[Decision]:
    """The decisions taken on one document, newest first."""
    return Decision.objects.filter(document_id=document_id)
