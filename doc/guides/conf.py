# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
#
# Sphinx configuration of the hvdev guides: HTML from index.rst, and the programs' man pages
# from their tool guides (one source for both). meson builds them with -Denable_docs=true
# (doc/guides/meson.build); by hand:
#   sphinx-build -W -b html doc/guides build/doc/html
#   sphinx-build -W -b man doc/guides build/doc/man
#
# Run as a program, "python3 conf.py --man-outputs" prints one "NAME.SECTION" line per man
# page: doc/guides/meson.build takes the list of files to install from it.

import os
import re
import sys

_here = os.path.dirname(os.path.abspath(__file__))


def _project_version():
    """The version in the top-level meson.build's project(), the one place it is kept."""
    try:
        with open(os.path.join(_here, '..', '..', 'meson.build'), encoding='utf-8') as f:
            m = re.search(r"^\s*version:\s*'([^']+)'", f.read(), re.M)
            if m:
                return m.group(1)
    except OSError:
        pass
    return 'unknown'


project = 'hvdev'
author = 'The hvdev authors'
copyright = '2026, The hvdev authors'
version = release = _project_version()
root_doc = master_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
html_show_sourcelink = False
# The installed HTML needs no copy of the sources.
html_copy_source = False
# Pages are written in en-US; the search index too.
language = 'en'
highlight_language = 'none'

# The man pages. Each entry is (document, section): the document is a tool guide (or a page of
# its own) whose first section is "Name" holding "``program`` -- one-line description"; the
# program's name and the description in the man page's NAME line are taken from there, and the
# "Name" section itself is left out of the man page (it would be there twice). Adding a man
# page is one line here; doc/guides/meson.build installs every page listed in man/manSECTION,
# and the docs suite (test/check_docs.py) checks that each program's --help and its page name
# the same options (the program must be among docs_args' --prog in test/meson.build, which
# also puts it on the PATH of the guides' commands).
man_page_sources = [
    ('tools/dpdk-hv-fcopy', 8),
    ('tools/dpdk-hv-kvp', 8),
    ('tools/dpdk-hvsim', 1),
    ('tools/dpdk-test-hvdev', 1),
]


def _name_section(docname):
    """(program, description) from the "Name" section of doc/guides/DOCNAME.rst."""
    path = os.path.join(_here, docname + '.rst')
    with open(path, encoding='utf-8') as f:
        text = f.read()
    m = re.search(r'^Name\n-+\n\n(.+?)\n\n', text, re.M | re.S)
    if not m:
        raise ValueError('%s: no "Name" section (a man page source needs one)' % path)
    line = ' '.join(m.group(1).split())
    m = re.match(r'``([^`]+)``\s+--\s+(.+)$', line)
    if not m:
        raise ValueError('%s: the "Name" section must be "``program`` -- description"' % path)
    return m.group(1), m.group(2).replace('``', '')


man_pages = []
for _doc, _section in man_page_sources:
    _prog, _desc = _name_section(_doc)
    man_pages.append((_doc, _prog, _desc, [author], _section))
man_show_urls = False
# :manpage:`dpdk-hvsim(1)` renders as such in every builder.
manpages_url = None


def _drop_name_section(app, doctree, docname):
    """In a man page, drop the guide's "Name" section: the builder writes NAME itself.
    (At write time, so that a doctree cached by another builder keeps it.)"""
    if app.builder.name != 'man':
        return
    from docutils import nodes
    if docname not in [d for d, _ in man_page_sources]:
        return
    for section in list(doctree.findall(nodes.section)):
        title = section.next_node(nodes.title)
        if title is not None and title.astext() == 'Name' and \
                section.parent is not None and isinstance(section.parent, nodes.section):
            section.parent.remove(section)
            break


def setup(app):
    app.connect('doctree-resolved', _drop_name_section)
    return {'parallel_read_safe': True}


if __name__ == '__main__':
    if sys.argv[1:] == ['--man-outputs']:
        for _doc, _prog, _desc, _authors, _section in man_pages:
            print('%s.%d' % (_prog, _section))
    else:
        sys.exit('usage: conf.py --man-outputs')
