"""Who may see what. Every selector starts from `scope_for(user)`.

| role                         | scope                                                   |
| admin, coordinator, finance  | the whole company                                       |
| manager                      | their org unit's subtree: accounts in its territories  |
|                              | or owned by its people                                  |
| rep                          | records they own                                        |
| partner                      | their own account (the account of their portal contact) |
A user whose link is missing (a rep with no person, a partner with no account) sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .models import Role

ScopeKind = Literal["all", "subtree", "own", "account", "none"]


@dataclass(frozen=True, slots=True)
class Scope:
    kind: ScopeKind
    org_path: str = ""
    person_id: int | None = None
    account_id: int | None = None

    @property
    def is_internal(self) -> bool:
        return self.kind in ("all", "subtree", "own")


NOTHING = Scope("none")


def scope_for(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser or user.role in (Role.ADMIN, Role.COORDINATOR, Role.FINANCE):
        return Scope("all")
    if user.role == Role.PARTNER:
        contact = getattr(user, "portal_contact", None)
        return Scope("account", account_id=contact.account_id) if contact else NOTHING
    person = getattr(user, "person", None)
    if person is None or not person.active:
        return NOTHING
    if user.role == Role.MANAGER:
        return Scope("subtree", org_path=person.org_unit.path, person_id=person.pk)
    if user.role == Role.REP:
        return Scope("own", person_id=person.pk)
    return NOTHING


def role_required(user, *roles: str) -> None:
    """Raise PermissionDenied unless the user has one of the roles (superusers pass)."""
    from .errors import PermissionDenied

    if user is None or not user.is_authenticated:
        raise PermissionDenied("Log in first.")
    if user.is_superuser or user.role in roles:
        return
    raise PermissionDenied("Your role may not do this.", detail={"needs": list(roles)})


STAFF_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.FINANCE)
INTERNAL_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.FINANCE, Role.MANAGER, Role.REP)
