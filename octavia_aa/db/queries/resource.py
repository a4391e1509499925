"""What the API's generic resource controller asks of any model."""
import sqlalchemy as sa


def statement(model, load=()):
    """The statement a list or a find of `model` starts from, with the
    eager loads `load`."""
    return sa.select(model).options(*load)


def project_count(session, model, project_id):
    """How many rows of `model` the project has (quotas)."""
    return session.scalar(sa.select(sa.func.count()).select_from(model)
                          .where(model.project_id == project_id))
