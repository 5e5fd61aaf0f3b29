"""Notebook magics (IPython, Jupyter): `%load_ext flameprof_py`, then

    %%flameprof [--sample] [--wall] [--interval MS] [--cpu] [--format html|svg] [flameprof options]
    %flameprof [options] STATEMENT

profile a cell, or one statement, with cProfile (`--cpu`: on CPU time), or with our sampler
(`--sample`, by CPU time or `--wall` time, every `--interval` ms), and show the result under
it: the self-contained HTML report (the default) in an iframe's srcdoc, so that its scripts
and its policy work and nothing is fetched, or the SVG. The flameprof CLI renders it
(render.py); any other option is the CLI's (`--threshold 0.5`, `--colors python`). In the
line form options come first, the CLI's written `--name=value`: the statement starts at the
first word that does not start with `-`.
"""
import html
import os
import shlex
import shutil
import sys
import tempfile

from .profiling import dump_stats, new_profiler, profiler_stats
from .render import RenderError, render
from .sampler import Collector, folded_text, labelled

# Our options that take a value; every other option goes to the CLI as written.
_VALUED = ("--interval", "--format")
_FLAGS = ("--sample", "--wall", "--cpu")
FRAME_HEIGHT = 640


class _Options(object):
    def __init__(self):
        self.sample = False
        self.wall = False
        self.cpu = False
        self.interval = 10.0
        self.format = "html"
        self.cli = []


def parse(words):
    """Our options out of `words` (a list), the CLI's kept in order. Raises ValueError."""
    o = _Options()
    i = 0
    while i < len(words):
        w = words[i]
        name, eq, value = w.partition("=")
        if name in _FLAGS and not eq:
            setattr(o, name[2:], True)
        elif name in _VALUED:
            if not eq:
                i += 1
                if i == len(words):
                    raise ValueError("%s needs a value" % name)
                value = words[i]
            if name == "--format":
                if value not in ("html", "svg"):
                    raise ValueError("--format must be html or svg, got %r" % value)
                o.format = value
            else:
                try:
                    o.interval = float(value)
                except ValueError:
                    raise ValueError("--interval needs a number of milliseconds, got %r" % value)
        else:
            o.cli.append(w)
        i += 1
    if o.sample and o.cpu:
        raise ValueError("--cpu is for cProfile: with --sample, CPU time is the default (--wall for wall-clock time)")
    if o.wall and not o.sample:
        raise ValueError("--wall works only with --sample")
    return o


def split_line(line):
    """The line form: (option words, statement)."""
    words = []
    rest = line.strip()
    expect_value = False
    while rest and (expect_value or rest.startswith("-")):
        word, _, rest = rest.partition(" ")
        rest = rest.lstrip()
        words.append(word)
        expect_value = not expect_value and word in _VALUED
    return words, rest


def _exec(code, namespace):
    # The frame the cell's sampled stacks start above (see _cell_stacks).
    exec(code, namespace)


def _cell_stacks(collector):
    """The sampled stacks that pass through _exec, from the frame above it: the cell's, not
    the kernel's."""
    mark = _exec.__code__
    out = []
    for stack, n in list(collector.stacks.items()):
        for i, f in enumerate(stack):
            if f is mark or (isinstance(f, tuple) and f[0] is mark):
                if i + 1 < len(stack):
                    out.append((stack[i + 1:], n))
                break
    return labelled(out)


def profile_source(shell, source, opts, work):
    """Run `source` in the shell's namespace under the profiler `opts` ask for, and write its
    profile into the folder `work`. Returns (profile path, or None when the sampler took no
    sample; the exception the source raised, or None)."""
    source = shell.transform_cell(source)
    try:
        filename = shell.compile.cache(source)
    except Exception:
        filename = "<flameprof>"
    code = compile(source, filename, "exec")
    error = None
    if opts.sample:
        collector = Collector(interval=opts.interval / 1000.0, mode="wall" if opts.wall else "cpu")
        collector.start()
        try:
            _exec(code, shell.user_ns)
        except BaseException as e:
            error = e
        finally:
            collector.close()
        stacks = _cell_stacks(collector)
        if not stacks:
            return None, error
        path = os.path.join(work, "cell.folded")
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(folded_text(stacks))
        return path, error
    profiler = new_profiler(opts.cpu)
    profiler.enable()
    try:
        _exec(code, shell.user_ns)
    except BaseException as e:
        error = e
    finally:
        profiler.disable()
    path = os.path.join(work, "cell.prof")
    dump_stats(profiler_stats(profiler), path, raise_errors=True)
    return path, error


def show(path, out_format):
    """Display a rendered report (in an iframe) or SVG."""
    from IPython.display import HTML, SVG, display

    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if out_format == "svg":
        display(SVG(data=text))
    else:
        frame = '<div><iframe srcdoc="%s" sandbox="allow-scripts" style="width: 100%%; height: %dpx; border: 1px solid #ccc" title="flameprof report"></iframe></div>'
        display(HTML(frame % (html.escape(text, quote=True), FRAME_HEIGHT)))


def flameprof(shell, line, cell=None):
    """The magic: profile the cell (or the line's statement) and show it."""
    try:
        if cell is None:
            words, statement = split_line(line)
        else:
            words, statement = shlex.split(line), cell
        opts = parse(words)
    except ValueError as e:
        sys.stderr.write("flameprof: %s\n" % (e,))
        return
    if not statement.strip():
        sys.stderr.write("flameprof: nothing to profile: %%flameprof profiles its cell, %flameprof the statement after it\n")
        return
    work = tempfile.mkdtemp(prefix="flameprof-cell-")
    try:
        path, error = profile_source(shell, statement, opts, work)
        if path is None:
            sys.stderr.write("flameprof: no samples: it ran for less than the interval (%g ms; --interval sets it)\n" % opts.interval)
            return
        title = statement.strip().splitlines()[0][:80] if cell is None else "cell"
        options = opts.cli if any(w == "--title" or w.startswith("--title=") for w in opts.cli) else ["--title", title] + opts.cli
        out = os.path.join(work, "profile." + opts.format)
        try:
            render(path, out, options, fmt=opts.format)
            show(out, opts.format)
        except RenderError as e:
            sys.stderr.write("flameprof: cannot show the profile: %s\n" % (e,))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if error is not None:
        raise error


def register(shell):
    """Register %flameprof and %%flameprof with an IPython shell."""
    shell.register_magic_function(lambda line, cell=None: flameprof(shell, line, cell), "line_cell", "flameprof")
