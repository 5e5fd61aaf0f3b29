#!/usr/bin/env python3
"""Makes bench/inputs/merged-7mb.prof: real cProfile runs of CPython's own test suites (one
process each), merged with bench/inputs/sympy-tests.prof by pstats, as the bench's big
real dump (issue 17 asks for 7 MB or more, several real runs).

    python3 bench/inputs/make-merge.py        # from the repository root, with CPython's test package
"""
import os
import pstats
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SUITES = [
    'test_json', 'test_email', 'test_argparse', 'test_re', 'test_statistics', 'test_typing',
    'test_dataclasses', 'test_pathlib', 'test_unittest', 'test_enum', 'test_inspect',
    'test_ast', 'test_tokenize', 'test_textwrap', 'test_csv', 'test_configparser',
    'test_collections', 'test_functools', 'test_itertools', 'test_datetime', 'test_xml_etree',
    'test_logging', 'test_zipfile', 'test_tarfile', 'test_sqlite3', 'test_pickle', 'test_difflib',
    'test_doctest', 'test_traceback', 'test_pydoc', 'test_urllib', 'test_http_cookiejar',
    'test_asyncio', 'test_mailbox', 'test_shutil', 'test_gzip', 'test_codecs', 'test_string',
]


def main():
    tmp = tempfile.mkdtemp()
    dumps = [os.path.join(HERE, 'sympy-tests.prof')]
    for suite in SUITES:
        out = os.path.join(tmp, suite + '.prof')
        # A failing or skipped test still leaves its profile: the suites only provide real work.
        subprocess.run([sys.executable, '-m', 'cProfile', '-o', out, '-m', 'test', '-q', suite],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
        if os.path.exists(out):
            dumps.append(out)
    stats = pstats.Stats(*dumps)
    target = os.path.join(HERE, 'merged-7mb.prof')
    stats.dump_stats(target)
    print('%s: %d dumps, %d functions, %d bytes' % (target, len(dumps), len(stats.stats), os.path.getsize(target)))


if __name__ == '__main__':
    main()
