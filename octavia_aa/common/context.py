"""Request context: who is asking, from keystonemiddleware headers or from
the noauth defaults."""
from oslo_context import context

from octavia_aa.common import config
from octavia_aa.common import constants as c

CONF = config.CONF


class RequestContext(context.RequestContext):

    @classmethod
    def from_request(cls, environ):
        strategy = CONF.api_settings.auth_strategy
        ctx = cls.from_environ(environ)
        if strategy == c.NOAUTH:
            # Like upstream: without authentication every caller is an admin
            # of the project it names, or of the default project (the
            # openstack CLI sends no project without Keystone).
            ctx.is_admin = True
            if 'admin' not in ctx.roles:
                ctx.roles.append('admin')
            if not ctx.project_id:
                ctx.project_id = CONF.api_settings.default_project_id
        else:
            from octavia_aa.common import policy
            creds = ctx.to_policy_values()
            ctx.is_admin = policy.get_enforcer().enforce(
                'context_is_admin', {}, creds)
        return ctx
