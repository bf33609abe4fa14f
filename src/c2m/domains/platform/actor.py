"""Who is asking: the authenticated person and the roles they hold, checked by every use case."""

from __future__ import annotations

from dataclasses import dataclass, field

from c2m.domains.platform.models import MemberRole, User
from c2m.domains.platform.scopes import Scopes
from c2m.kernel.errors import Forbidden, NotFound


@dataclass(frozen=True)
class Actor:
    user_id: str
    email: str
    name: str
    is_platform_owner: bool = False
    is_maker: bool = False
    is_authority: bool = False
    memberships: dict[str, MemberRole] = field(default_factory=dict)
    scopes: Scopes | None = None  # a token's scopes; None: a session or an unscoped token

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(
            user_id=user.id,
            email=user.email,
            name=user.name,
            is_platform_owner=user.is_platform_owner,
            is_maker=user.is_maker,
            is_authority=user.is_authority,
            memberships={m.enterprise_id: m.role for m in user.memberships},
        )

    @property
    def roles(self) -> list[str]:
        """Every role held, e.g. ``["user", "maker", "enterprise-owner"]``."""
        roles = ["user"]
        if self.is_maker:
            roles.append("maker")
        if any(r is MemberRole.MEMBER for r in self.memberships.values()):
            roles.append("enterprise-member")
        if any(r is MemberRole.OWNER for r in self.memberships.values()):
            roles.append("enterprise-owner")
        if self.is_authority:
            roles.append("authority")
        if self.is_platform_owner:
            roles.append("platform-owner")
        return roles

    def is_member_of(self, enterprise_id: str) -> bool:
        """Members and owners of the enterprise, and the platform owner, act for it."""
        return self.is_platform_owner or enterprise_id in self.memberships

    def require_member_of(self, enterprise_id: str) -> None:
        """Strangers are told nothing exists, as everywhere a tenant's data is concerned."""
        if not self.is_member_of(enterprise_id):
            raise NotFound("There is no such micro-enterprise, or you are not one of its members.")

    def is_owner_of(self, enterprise_id: str) -> bool:
        return self.is_platform_owner or self.memberships.get(enterprise_id) is MemberRole.OWNER

    def require_owner_of(self, enterprise_id: str) -> None:
        if not self.is_owner_of(enterprise_id):
            raise Forbidden("Only an owner of this micro-enterprise may do that.")
