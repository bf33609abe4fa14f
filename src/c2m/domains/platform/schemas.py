"""What the platform domain accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from c2m.domains.platform.scopes import Scope
from c2m.domains.platform.security import MIN_PASSWORD_LENGTH
from c2m.kernel.schemas import VISIBLE, Strict


class SignUp(Strict):
    email: EmailStr
    name: str = Field(min_length=1, max_length=120, pattern=VISIBLE)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)


class NewToken(Strict):
    name: str = Field(min_length=1, max_length=80, pattern=VISIBLE, examples=["my script"])
    scopes: list[Scope] | None = Field(
        None,
        max_length=len(Scope),
        description="What the token may do; left out, every scope you hold.",
        examples=[["orders:read"]],
    )
    expires_in_days: int | None = Field(
        None, ge=1, le=3650, description="Days until it stops working; left out, never."
    )


class NewServiceClient(Strict):
    name: str = Field(min_length=1, max_length=80, pattern=VISIBLE, examples=["ERP"])
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope), examples=[["orders:read"]])


class ServiceClientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    client_id: str
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None = Field(description="When it last got a token")
    revoked_at: datetime | None

    _split = field_validator("scopes", mode="before")(lambda value: _split_scopes(value))


class ServiceClientCreated(ServiceClientOut):
    client_secret: str = Field(description="Shown once; store it safely.")


class IssuedToken(BaseModel):
    """The answer of the token endpoint, as OAuth 2 (RFC 6749 §5.1) has it."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme, not a secret
    expires_in: int = Field(description="Seconds")
    scope: str = Field(description="The scopes granted, space-separated")


class MembershipOut(BaseModel):
    enterprise_id: str
    enterprise_name: str
    role: str


class Me(BaseModel):
    id: str
    email: str
    name: str
    roles: list[str]
    memberships: list[MembershipOut]


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    scopes: list[Scope] | None = Field(description="null: every scope of its person")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="To within a minute")
    revoked_at: datetime | None

    _split = field_validator("scopes", mode="before")(lambda value: _split_scopes(value))


def _split_scopes(value: object) -> object:
    """Scopes as a row keeps them (space-separated) become a list."""
    return value.split() if isinstance(value, str) else value


class TokenCreated(TokenOut):
    token: str = Field(description="Shown once; store it safely.")


class EnterpriseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    slug: str


SLUG = r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$"


class NewApplication(Strict):
    """Asking to open a micro-enterprise."""

    name: str = Field(min_length=2, max_length=120, pattern=VISIBLE, examples=["Oak & Ash"])
    slug: str = Field(
        pattern=SLUG,
        max_length=60,
        description="Short name for links: lower-case letters, digits and dashes.",
        examples=["oak-and-ash"],
    )
    pitch: str = Field(
        min_length=10,
        max_length=2000,
        description="What the team will make and for whom, for the platform owner to decide.",
    )


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    applicant_id: str
    name: str
    slug: str
    pitch: str
    status: Literal["pending", "approved", "declined"]
    created_at: datetime
    decided_at: datetime | None
    note: str | None
    enterprise_id: str | None


class Decision(Strict):
    approve: bool
    note: str | None = Field(
        None, max_length=500, description="Why, shown to the applicant (kind words help)."
    )


class NewInvitation(Strict):
    role: Literal["member", "owner"] = "member"
    days: int = Field(7, ge=1, le=30, description="How long the link stays valid.")


InvitationState = Literal["open", "accepted", "revoked", "expired"]


class InvitationOut(BaseModel):
    id: str
    enterprise_id: str
    role: Literal["member", "owner"]
    created_at: datetime
    expires_at: datetime
    state: InvitationState


class InvitationCreated(InvitationOut):
    url: str = Field(description="The link to send; shown once.")


class InvitationPreview(BaseModel):
    enterprise_id: str
    enterprise_name: str
    role: Literal["member", "owner"]
    expires_at: datetime


class MemberOut(BaseModel):
    user_id: str
    name: str
    email: str
    role: Literal["member", "owner"]


class RoleChange(Strict):
    role: Literal["member", "owner"]
