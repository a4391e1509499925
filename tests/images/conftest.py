"""Image tests need a built image (tools/build-images.sh) and minutes of
QEMU: they run only when asked for by path (``pytest tests/images``), and
are reported as deselected in a plain run of the suite."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def _asked(config):
    for arg in config.args:
        path = os.path.abspath(arg.split('::')[0])
        if path == HERE or path.startswith(HERE + os.sep):
            return True
    return False


def pytest_collection_modifyitems(config, items):
    if _asked(config):
        return
    mine = [i for i in items if str(i.path).startswith(HERE + os.sep)]
    if mine:
        config.hook.pytest_deselected(items=mine)
        items[:] = [i for i in items if i not in mine]
