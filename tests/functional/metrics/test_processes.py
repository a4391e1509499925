"""How the process-local metrics reach a scrape outside the all-in-one:
octavia-aa-api's gunicorn workers add theirs up through [metrics]
multiprocess_dir (a scrape of either worker counts the requests both
served), and octavia-aa-worker serves its own on [metrics] worker_port."""
import os
import signal
import subprocess
import time

from prometheus_client import parser
import requests

from octavia_aa.common import procs
from tests import noop
from tests import service as service_proc

BIN = service_proc.BIN


def _start(tmp_path, binary, extra=''):
    port = service_proc.free_port()
    conf = tmp_path / 'octavia-aa.conf'
    conf.write_text('[DEFAULT]\nstate_path = %s\n'
                    '[api_settings]\nbind_port = %d\napi_workers = 2\n'
                    '[health_manager]\nbind_port = %d\n%s%s'
                    % (tmp_path, port, service_proc.free_port(),
                       noop.CONF_SECTION, extra))
    subprocess.run([os.path.join(BIN, 'octavia-aa-db-manage'),
                    '--config-file', str(conf), 'upgrade', 'head'],
                   check=True, capture_output=True)
    proc = subprocess.Popen(
        [os.path.join(BIN, binary), '--config-file', str(conf)],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / 'stderr', 'w'))
    return proc, port


def _stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _samples(text, name, **labels):
    return [s.value for f in parser.text_string_to_metric_families(text)
            for s in f.samples if s.name == name and all(
                s.labels.get(k) == v for k, v in labels.items())]


def _pids(directory):
    return {f.rsplit('_', 1)[-1] for f in os.listdir(directory)}


def test_api_workers_add_up(tmp_path):
    proc, port = _start(tmp_path, 'octavia-aa-api')
    try:
        service_proc.wait_port(port, proc)
        deadline = time.monotonic() + 30
        while len(procs.children(proc.pid)) < 2:
            assert time.monotonic() < deadline, 'no second worker'
            time.sleep(0.1)
        url = 'http://127.0.0.1:%d' % port
        sent = 0
        # A connection each, until both workers have served some (which
        # worker accepts is the kernel's choice): a file each.
        while sent < 20 or len(_pids(tmp_path / 'metrics')) < 2:
            assert sent < 500, os.listdir(tmp_path / 'metrics')
            assert requests.get(url + '/', timeout=10,
                                headers={'Connection': 'close'}).ok
            sent += 1
        for _ in range(4):     # whichever worker answers the scrape
            text = requests.get(url + '/metrics', timeout=10).text
            assert _samples(
                text, 'octavia_aa_api_request_duration_seconds_count',
                method='GET', route='/', code='200') == [sent]
    finally:
        _stop(proc)


def test_worker_serves_its_own_port(tmp_path):
    metrics_port = service_proc.free_port()
    proc, _ = _start(tmp_path, 'octavia-aa-worker',
                     '[metrics]\nworker_port = %d\n' % metrics_port)
    try:
        service_proc.wait_port(metrics_port, proc)
        text = requests.get('http://127.0.0.1:%d/metrics' % metrics_port,
                            timeout=10).text
        assert '# TYPE octavia_aa_flow_duration_seconds histogram' in text
        assert '# TYPE octavia_aa_failovers_total counter' in text
        # Database gauges are the API's, not repeated per process.
        assert 'octavia_aa_cluster_desired_size' not in text
    finally:
        _stop(proc)
