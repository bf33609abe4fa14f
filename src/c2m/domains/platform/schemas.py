"""What the platform domain accepts and returns."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from c2m.domains.platform.security import MIN_PASSWORD_LENGTH
from c2m.kernel.schemas import VISIBLE, Strict


class SignUp(Strict):
    email: EmailStr
    name: str = Field(min_length=1, max_length=120, pattern=VISIBLE)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)


class NewToken(Strict):
    name: str = Field(min_length=1, max_length=80, pattern=VISIBLE, examples=["my script"])


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
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="Shown once; store it safely.")


class EnterpriseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    slug: str
