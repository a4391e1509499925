"""tools/install.sh's progress lines (tools/lib/progress.sh): pip's
output becomes one numbered line per package fetched, its notices are
dropped, and a failing pip still fails the pipeline."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PIP_OUTPUT = """WARNING: Location 'file:///opt/pypi/simple/x/' is ignored
Collecting oslo.config>=9.0 (from -r requirements.txt (line 2))
  Using cached oslo.config-9.0.whl (129 kB)
Collecting pbr>=6.0
Requirement already satisfied: six in ./.venv/lib/python3.11
Installing collected packages: pbr, oslo.config
Successfully installed oslo.config-9.0 pbr-6.0
"""


def run(script, stdin=''):
    return subprocess.run(
        ['bash', '-c', 'set -euo pipefail; . tools/lib/progress.sh; '
         + script], cwd=ROOT, input=stdin, capture_output=True, text=True,
        timeout=30)


def test_pip_output_becomes_one_line_per_package():
    proc = run('pip_progress', PIP_OUTPUT)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == '  [1] oslo.config>=9.0 (from -r requirements.txt ' \
        '(line 2))'
    assert lines[1] == '  [2] pbr>=6.0'
    assert lines[2].endswith('] installing the 2 packages fetched')
    assert lines[3].endswith('] done')
    assert len(lines) == 4 and 'WARNING' not in proc.stdout
    assert lines[2].startswith('[install ')


def test_a_failing_pip_still_fails_the_install():
    proc = run('(echo "Collecting x"; exit 3) | pip_progress')
    assert proc.returncode == 3
    assert '[1] x' in proc.stdout
