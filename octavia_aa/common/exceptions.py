"""Errors with the HTTP code and message the API answers with.

The API renders any of these as Octavia's error body
{"faultcode": ..., "faultstring": ..., "debuginfo": null}.
"""


class OctaviaAAError(Exception):
    code = 500
    message = 'An unknown error occurred.'

    def __init__(self, message=None):
        self.message = message or self.message
        super().__init__(self.message)


class InvalidInput(OctaviaAAError):
    code = 400

    def __init__(self, field, value, reason):
        super().__init__("Invalid input for field/attribute %s. Value: '%s'. "
                         "%s" % (field, value, reason))
        self.field = field


class ValidationError(OctaviaAAError):
    code = 400

    def __init__(self, detail):
        super().__init__('Validation failure: %s' % detail)


class PolicyForbidden(OctaviaAAError):
    code = 403
    message = 'Policy does not allow this request to be performed.'


class QuotaExceeded(OctaviaAAError):
    code = 403

    def __init__(self, resource):
        super().__init__('Quota has been met for resources: %s' % resource)


class NotFound(OctaviaAAError):
    code = 404

    def __init__(self, resource, id_):
        super().__init__('%s %s not found.' % (resource, id_))


class MethodNotAllowed(OctaviaAAError):
    code = 405

    def __init__(self, method, allowed):
        self.allowed = tuple(allowed)
        super().__init__('Method %s is not allowed here; allowed: %s.'
                         % (method, ', '.join(self.allowed) or 'none'))


class Conflict(OctaviaAAError):
    code = 409


class ImmutableObject(Conflict):
    def __init__(self, resource, id_):
        super().__init__('%s %s is immutable and cannot be updated.'
                         % (resource, id_))


class NotImplementedByProvider(OctaviaAAError):
    code = 501


class DriverError(OctaviaAAError):
    """A driver (compute, network, amphora, distributor) failed."""
    code = 500
