"""Rendering a profile with the flameprof CLI (Node.js), for the pytest plugin and the
notebook magics: the CLI found through FLAMEPROF_CLI (a command, or a `.js` file run by node),
else beside this package (the npm package ships both: python/flameprof_py and bin/), else
`flameprof` on PATH."""
import os
import shutil
import subprocess

_BESIDE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "bin", "flameprof.js")

# Output formats by file ending, longest first (what `--format` the CLI is given).
FORMATS = ((".speedscope.json", "speedscope"), (".pb.gz", "pprof"), (".svg", "svg"), (".html", "html"), (".log", "log"))


class RenderError(Exception):
    """The CLI could not be found or run, or failed: its message is one line."""


def format_of(path):
    """The output format a file name asks for, or None (a name for the dump itself)."""
    lower = path.lower()
    for ending, name in FORMATS:
        if lower.endswith(ending):
            return name
    return None


def cli_command():
    """The command that runs the flameprof CLI, as a list (RenderError if none is found)."""
    given = os.environ.get("FLAMEPROF_CLI")
    script = given if given else (_BESIDE if os.path.exists(_BESIDE) else None)
    if script is None:
        found = shutil.which("flameprof")
        if found is None:
            raise RenderError("the flameprof CLI is not installed (npm install -g flameprof, or set FLAMEPROF_CLI)")
        return [found]
    if given and not shutil.which(given) and not os.path.isfile(given):
        raise RenderError("FLAMEPROF_CLI names %s, which does not exist" % given)
    if not script.endswith(".js"):
        return [script]
    node = shutil.which("node")
    if node is None:
        raise RenderError("node is not on PATH: the flameprof CLI needs Node.js 20 or later")
    return [node, script]


def render(profile, out, options=(), fmt=None, timeout=600):
    """Render the profile file `profile` to `out` (`fmt`, else the format its name asks for)
    with extra CLI `options`. Raises RenderError with the CLI's own one-line message."""
    args = cli_command() + ["--format", fmt or format_of(out) or "svg", "-o", out] + list(options) + ["--", profile]
    try:
        done = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as e:
        raise RenderError("cannot run %s: %s" % (args[0], e))
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(lines[0] if lines else "flameprof exited with %d" % done.returncode)
