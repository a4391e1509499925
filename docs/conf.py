"""Sphinx configuration of octavia-aa's documentation.

Build: tools/build-docs.sh (sphinx-build -W: a warning fails the build).
The guides are Markdown (myst-parser) so that they read on GitHub too;
the configuration and policy references are generated from the option
and rule definitions, the release notes page from releasenotes/notes/.
"""
import os
import sys

# The references import the package's option and policy definitions.
sys.path.insert(0, os.path.abspath('..'))

project = 'octavia-aa'
copyright = 'octavia-aa developers'
author = 'octavia-aa developers'

extensions = [
    'myst_parser',
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
    'reno.sphinxext',
]

source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
root_doc = 'index'
exclude_patterns = ['_build']

# Headings get anchors, so that `[text](#heading)` and
# `other.md#heading` links in the Markdown guides resolve.
myst_heading_anchors = 4
# A Markdown link that is no heading nor file is looked up in these
# domains only: oslo.config's domain raises on any target without a dot.
myst_ref_domains = ['std']
# No warning is suppressed: a link to a missing heading or document fails
# the build. Files outside docs/ (README.md, tools/...) are named in code
# spans, not linked: they are no document of this build.

html_theme = 'alabaster'
html_title = 'octavia-aa'
html_static_path = []
