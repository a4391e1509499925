"""Errors the REST layer turns into JSON responses (the base is shared
with the other agent)."""

from octavia_aa.common.agent_app import ApiError  # noqa: F401
from octavia_aa.common.agent_app import NotFound  # noqa: F401


class BadRequest(ApiError):
    code = 400


class Conflict(ApiError):
    code = 409
