"""Pydantic models of every card action payload; the `verb` field discriminates.

`parse_payload` reads an Action.Execute's data (or an older client's message value); anything
that is not exactly one of ours raises `ValidationError`, for a clean refusal.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, model_validator

from cards.inputs import PREFIX

Ref = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")]
InputValue = Annotated[str, StringConstraints(max_length=20_000)] | bool
MAX_INPUTS = 200


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    round: Ref = Field(alias="r")


class SurveyOpen(_Payload):
    verb: Literal["survey.open"]


class SurveyStep(_Payload):
    verb: Literal["survey.step"]
    move: Literal["next", "back", "save"]
    section: Ref
    version: int = Field(alias="v", ge=0)
    inputs: dict[str, InputValue] = Field(default_factory=dict, max_length=MAX_INPUTS)

    @model_validator(mode="before")
    @classmethod
    def _collect_inputs(cls, data: Any) -> Any:
        """Card inputs arrive beside the action's data; gather the "q." ones into `inputs`."""
        if isinstance(data, dict):
            inputs = {k: v for k, v in data.items() if isinstance(k, str) and k.startswith(PREFIX)}
            rest = {k: v for k, v in data.items() if k not in inputs}
            return {**rest, "inputs": inputs}
        return data


class SurveyGoTo(_Payload):
    verb: Literal["survey.goto"]
    section: Ref


class SurveySubmit(_Payload):
    verb: Literal["survey.submit"]
    version: int = Field(alias="v", ge=0)


Payload = Annotated[
    SurveyOpen
    | SurveyStep
    | SurveyGoTo
    | SurveySubmit,
    Field(discriminator="verb"),
]
_ADAPTER: TypeAdapter[Payload] = TypeAdapter(Payload)


def parse_payload(data: Any) -> Payload:
    return _ADAPTER.validate_python(data)

