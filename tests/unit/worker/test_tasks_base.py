"""Task naming and the fault text written on revert."""
from taskflow.types import failure

from octavia_aa.controller.worker.tasks import base


class Probe(base.Task):
    def execute(self):
        pass


def test_prefix_makes_names_unique():
    assert Probe().name == 'Probe'
    assert Probe(prefix='amp0').name == 'amp0-Probe'


def _failure(exc):
    try:
        raise exc
    except Exception:
        return failure.Failure()


def test_fault_names_step_and_reason():
    kwargs = {'flow_failures': {'amp1-ComputeBuild':
                                _failure(RuntimeError('no quota'))}}
    # A library's error (not one of ours) keeps its type.
    assert base.fault_from(kwargs) == ('amp1-ComputeBuild failed: '
                                       'RuntimeError: no quota')


def test_fault_is_cut_to_the_column_size():
    kwargs = {'flow_failures': {'T': _failure(RuntimeError('x' * 5000))}}
    assert len(base.fault_from(kwargs)) == base.FAULT_LEN


def test_fault_of_an_empty_message_names_the_exception():
    kwargs = {'flow_failures': {'T': _failure(KeyError())}}
    assert base.fault_from(kwargs) == 'T failed: KeyError'


def test_fault_of_our_own_error_is_its_message():
    from octavia_aa.common import exceptions
    kwargs = {'flow_failures': {'T': _failure(
        exceptions.DriverError('compute quota exceeded'))}}
    assert base.fault_from(kwargs) == 'T failed: compute quota exceeded'
