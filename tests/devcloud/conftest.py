"""The devcloud tests bring up a real one-host OpenStack (minutes, GBs).

They are collected only when asked for: by naming tests/devcloud on the
command line, or with OCTAVIA_AA_DEVCLOUD=1 (the lead decides when they join
tools/run-tests.sh's default run; see tools/devcloud/README.md).
"""
import os
import pathlib

HERE = pathlib.Path(__file__).parent.resolve()


def _asked_for(config):
    if os.environ.get('OCTAVIA_AA_DEVCLOUD') == '1':
        return True
    for arg in config.args:
        path = pathlib.Path(arg.split('::')[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path, config):
    if collection_path.name == 'conftest.py':
        return None
    return None if _asked_for(config) else True
