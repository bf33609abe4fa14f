"""What the platform domain accepts and returns."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field

from c2m.domains.platform.security import MIN_PASSWORD_LENGTH


class Strict(BaseModel):
    """Input models refuse unknown fields, so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


def _refuse_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


#: For integer fields: JSON's true is not 1 (pydantic would quietly take it as 1).
NOT_BOOL = BeforeValidator(_refuse_bool)

#: Text a person reads: at least one visible character. Said in the schema itself (not by
#: stripping after validation), so that what the OpenAPI document allows is what the API accepts.
VISIBLE = r"\S"


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
