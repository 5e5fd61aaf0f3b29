"""The notebook magics in IPython's own shell (Debian's python3-ipython), under
/usr/bin/python3, rendered by the flameprof CLI beside the package (node on PATH): the report
is shown inline in an iframe's srcdoc, holds the profiled function and fetches nothing; the
SVG likewise; bad options are one line."""
import html
import re

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

HOT = "def hot_function():\n    return sum(i * i for i in range(2000000))\n"


@pytest.fixture(scope="module")
def shell():
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "flameprof_py")
    ip.run_cell(HOT)
    return ip


def run(shell, cell):
    with capture_output() as c:
        result = shell.run_cell(cell)
    return result, c


def test_a_cell_shows_the_report_inline_fetching_nothing(shell):
    result, c = run(shell, "%%flameprof\nhot_function()\n")
    assert result.success and c.stderr == ""
    assert len(c.outputs) == 1
    shown = c.outputs[0].data["text/html"]
    m = re.match(r'^<div><iframe srcdoc="([^"]*)" sandbox="allow-scripts" [^>]*></iframe></div>$', shown)
    assert m, shown[:300]
    page = html.unescape(m.group(1))
    assert page.startswith("<!DOCTYPE html>")
    assert "hot_function" in page
    # Nothing to fetch: the page's policy allows no request, and it names no other resource.
    assert re.search(r"""<meta http-equiv="Content-Security-Policy" content="default-src 'none';""", page)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)


def test_a_statement_sampled_as_svg(shell):
    result, c = run(shell, "%flameprof --sample --wall --interval=2 --format svg --threshold=0 x = hot_function()")
    assert result.success and c.stderr == ""
    svg = c.outputs[0].data["image/svg+xml"]
    assert svg.lstrip().startswith("<svg") or "<svg" in svg[:300]
    assert ":hot_function" in svg or "hot_function" in svg
    # The statement ran in the user's namespace.
    assert shell.user_ns["x"] == sum(i * i for i in range(2000000))


def test_bad_options_and_nothing_to_profile_are_one_line(shell):
    for cell, message in [
        ("%%flameprof --format pdf\nhot_function()\n", "flameprof: --format must be html or svg, got 'pdf'\n"),
        ("%%flameprof --wall\nhot_function()\n", "flameprof: --wall works only with --sample\n"),
        ("%%flameprof --threshold=abc\nhot_function()\n", None),
        ("%flameprof --sample", "flameprof: nothing to profile: %%flameprof profiles its cell, %flameprof the statement after it\n"),
    ]:
        result, c = run(shell, cell)
        assert c.outputs == []
        if message is None:
            # The CLI's own message, as one line.
            assert re.match(r"^flameprof: cannot show the profile: flameprof: --threshold .+\n$", c.stderr), c.stderr
        else:
            assert c.stderr == message


def test_an_error_in_the_cell_still_shows_what_ran_and_is_raised(shell):
    result, c = run(shell, "%%flameprof\nhot_function()\n1 / 0\n")
    assert isinstance(result.error_in_exec, ZeroDivisionError)
    assert "hot_function" in html.unescape(c.outputs[0].data["text/html"])
