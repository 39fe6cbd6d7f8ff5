"""What every record shares: the base class (strict, strips text, enums stored as their value,
dates written as ISO text) and the constrained types of its fields."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .limits import MAX_DAILY_RATE, MAX_MISSION_DAYS, MIN_DAILY_RATE

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Rate = Annotated[int, Field(ge=MIN_DAILY_RATE, le=MAX_DAILY_RATE)]
Rating = Annotated[int, Field(ge=1, le=5)]
Level = Annotated[int, Field(ge=1, le=5)]
DaysCount = Annotated[int, Field(gt=0, le=MAX_MISSION_DAYS)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class Record(BaseModel):
    model_config = ConfigDict(
        str_strip_whitespace=True, use_enum_values=True, extra="forbid", validate_default=True
    )

    def row(self, *, exclude_unset: bool = False) -> dict[str, Any]:
        """The record as a database row (dates as ISO text); ``exclude_unset`` keeps only the
        fields that were given (an update that leaves the other columns alone)."""
        out: dict[str, Any] = {}
        for key, value in self.model_dump(exclude_unset=exclude_unset).items():
            out[key] = value.isoformat() if isinstance(value, dt.date) else value
        return out


def empty_to_none(value: Any) -> Any:
    """A blank text is no value (for ``field_validator(..., mode="before")``)."""
    return None if isinstance(value, str) and not value.strip() else value


def split_commas(value: Any) -> Any:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``; None -> ``[]`` (a list typed as one text)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [t for t in (p.strip() for p in value.split(",")) if t]
    return value
