"""Errors the REST layer turns into JSON responses (the base is shared
with the other agent)."""

from octavia_aa.common.agent_app import ApiError  # noqa: F401
from octavia_aa.common.agent_app import NotFound  # noqa: F401


class BadRequest(ApiError):
    code = 400

    def __init__(self, field, message):
        super().__init__('%s: %s' % (field, message), field=field)
