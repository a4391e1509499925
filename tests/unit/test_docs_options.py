"""Every configuration option the documentation names exists.

The guides (docs/*.md, README.md) name options as `[group] option` in
running text and as `option = value` lines under a `[group]` header in
their configuration examples. Both are checked against the generated
samples (etc/*.conf.sample, kept current by test_samples.py), so a
renamed or invented option fails here instead of misleading a reader.
A line that says TODO is skipped, and so is a region from a line with
"TODO(merger) begin" to one with "TODO(merger) end": they name options
of work not merged yet; once the merger removes the markers, the names
are checked like the rest.
"""
import glob
import os
import re

from keystoneauth1 import loading as ks_loading
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
SAMPLES = ('etc/octavia-aa.conf.sample', 'etc/amphora-agent.conf.sample',
           'etc/distributor-agent.conf.sample')
DOCS = sorted(glob.glob(os.path.join(ROOT, 'docs', '*.md'))) + [
    os.path.join(ROOT, 'README.md')]

_SECTION = re.compile(r'^\[([A-Za-z_]+)\]\s*$')
_OPTION = re.compile(r'^#?([a-z][a-z0-9_]*) =')
# `[group] option` in running text; a code span may wrap across lines.
_MENTION = re.compile(r'`\[([a-z_]+)\]\s+([a-z][a-z0-9_]*)\b')
_FENCE = re.compile(r'^```')
_ASSIGN = re.compile(r'^([a-z][a-z0-9_]*)\s*=')


def _known():
    known = {}
    for sample in SAMPLES:
        section = None
        with open(os.path.join(ROOT, sample)) as f:
            for line in f:
                m = _SECTION.match(line)
                if m:
                    section = m.group(1)
                    continue
                m = _OPTION.match(line)
                if m and section:
                    known.setdefault(section, set()).add(m.group(1))
    # A section with auth_type also takes the options of the plugin it
    # names, which keystoneauth registers only when it loads the plugin
    # (so no sample lists them); the guides use the password plugin.
    plugin = {o.dest for o in
              ks_loading.get_auth_plugin_conf_options('password')}
    for options in known.values():
        if 'auth_type' in options:
            options.update(plugin)
    return known


def _mentions(text):
    """(line number, group, option) of every `[group] option`."""
    for m in _MENTION.finditer(text):
        lineno = text.count('\n', 0, m.start()) + 1
        yield lineno, m.group(1), m.group(2)


def _config_lines(text):
    """(line number, group, option) of `option = value` lines under a
    `[group]` header inside code blocks."""
    in_code, group = False, None
    for lineno, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            in_code, group = not in_code, None
            continue
        if not in_code:
            continue
        m = _SECTION.match(line.strip())
        if m:
            group = m.group(1)
            continue
        m = _ASSIGN.match(line)
        if m and group:
            yield lineno, group, m.group(1)


def _todo_lines(lines):
    """Line numbers (1-based) that a TODO line or region covers."""
    skipped, region = set(), False
    for lineno, line in enumerate(lines, 1):
        if 'TODO(merger) begin' in line:
            region = True
        if region or 'TODO' in line:
            skipped.add(lineno)
        if 'TODO(merger) end' in line:
            region = False
    return skipped


def _unknown(path, known):
    with open(path) as f:
        text = f.read()
    lines = text.splitlines()
    skipped = _todo_lines(lines)
    bad = []
    for lineno, group, option in list(_mentions(text)) + list(
            _config_lines(text)):
        if lineno in skipped:
            continue
        if option not in known.get(group, ()):
            bad.append('%s:%d: [%s] %s' % (os.path.relpath(path, ROOT),
                                           lineno, group, option))
    return bad


@pytest.mark.parametrize('path', DOCS,
                         ids=[os.path.relpath(p, ROOT) for p in DOCS])
def test_documented_options_exist(path):
    assert _unknown(path, _known()) == []


def test_the_check_finds_an_invented_option(tmp_path):
    """The check is not vacuous: a made-up option, in text and in a
    configuration block, is reported; a real one and a TODO line are
    not."""
    doc = tmp_path / 'doc.md'
    doc.write_text(
        'Set `[nova] build_timeout` and `[nova] no_such_option`.\n'
        '```\n[health_manager]\nbind_ip = 192.0.2.1\nbind_nowhere = 1\n'
        'later_option = 2   # TODO(merger): from another branch\n```\n'
        '<!-- TODO(merger) begin -->\n`[neutron] unmerged`\n'
        '<!-- TODO(merger) end -->\n`[nova] after_the_region`\n')
    rel = os.path.relpath(str(doc), ROOT)
    assert sorted(_unknown(str(doc), _known())) == [
        '%s:11: [nova] after_the_region' % rel,
        '%s:1: [nova] no_such_option' % rel,
        '%s:5: [health_manager] bind_nowhere' % rel]
