"""Errors the REST layer turns into JSON responses."""


class ApiError(Exception):
    code = 500

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def body(self):
        return dict(self.details, message=self.message, code=self.code)


class BadRequest(ApiError):
    code = 400


class NotFound(ApiError):
    code = 404


class Conflict(ApiError):
    code = 409
