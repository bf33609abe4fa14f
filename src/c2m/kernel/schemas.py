"""Building blocks every domain's schemas share: strict inputs, ids, text and option values.

They live here, not in one domain, so that a domain never imports another just for a type.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints


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
MONTH = r"^(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])$"
"""A calendar month, ``YYYY-MM``, in years a report can be about."""
VISIBLE = r"\S"

#: A visible character and no NUL, which PostgreSQL text cannot hold.
TEXT = r"^[^\x00]*\S[^\x00]*$"

Id = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z_-]+$")]

# No pattern on keys: JSON Schema says it as patternProperties, which let other keys through.
OptionName = Annotated[str, StringConstraints(min_length=1, max_length=60)]
OptionValue = (
    Annotated[str, StringConstraints(max_length=200)]
    | Annotated[int, Field(ge=-(10**12), le=10**12)]
    | Annotated[float, Field(allow_inf_nan=False)]
    | bool
)
