"""The one way the package writes a file: whole or not at all, never through a planted link.

A dump goes to a new temporary file beside its target, created exclusively under an
unpredictable name without following links (as the flameprof CLI writes its outputs), then
renamed over the target. A failure is one line on stderr, never an exception into the
profiled program, unless the caller asks for the exception.
"""
import os
import sys

# O_EXCL with O_CREAT already refuses any existing name, a symlink included; O_NOFOLLOW says
# so twice where the platform has it.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def warn(message):
    """One line on stderr, as every message of the package is; a closed stderr is not our problem."""
    try:
        sys.stderr.write("flameprof_py: %s\n" % (message,))
        sys.stderr.flush()
    except Exception:
        pass


def reason(err):
    """An error in a few words: the OS's text for an OSError, else the exception's."""
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return "%s: %s" % (type(err).__name__, err)


def temporary_name(path):
    """Where `path` is written first: beside it, hidden, under 16 random hex digits."""
    folder, name = os.path.split(path)
    return os.path.join(folder, ".%s.%s.tmp" % (name, os.urandom(8).hex()))


def write_file(path, data, raise_errors=False):
    """Write `data` (bytes) to `path` as the module comment says. Returns True once the file is
    in place; on failure, False after one line on stderr, or the exception if `raise_errors`.
    A symlink at `path` is replaced by the file, never followed."""
    created = None
    try:
        tmp = temporary_name(path)
        fd = os.open(tmp, _FLAGS, 0o666)
        created = tmp
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
        created = None
        return True
    except Exception as e:
        if raise_errors:
            raise
        warn("cannot write %s: %s" % (path, reason(e)))
        return False
    finally:
        if created is not None:
            try:
                os.unlink(created)
            except OSError:
                pass
