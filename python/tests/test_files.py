"""Every file the package writes goes through files.write_file: whole or not at all, never
through a link planted at a temporary name, a failure one line on stderr."""
import marshal
import os

import pytest

from flameprof_py import files, profile
from flameprof_py.wsgi_middleware import ProfileMiddleware
from flameprof_py.sampler import Collector

GUESSED = b"\x01" * 8


@pytest.fixture
def guessable(monkeypatch):
    """Temporary names made predictable, as if an attacker had guessed them; the name for `path`."""
    monkeypatch.setattr(os, "urandom", lambda n: GUESSED[:n])
    return lambda path: os.path.join(os.path.dirname(path), ".%s.%s.tmp" % (os.path.basename(path), GUESSED.hex()))


@pytest.fixture
def victim(tmp_path):
    """A file someone else owns, that a planted link points to."""
    path = tmp_path / "victim.txt"
    path.write_bytes(b"precious")
    return str(path)


def plant(link, target):
    os.symlink(target, link)
    return link


def assert_untouched(victim, link):
    with open(victim, "rb") as f:
        assert f.read() == b"precious"
    assert os.path.islink(link)


def test_writes_the_whole_file_and_leaves_no_temporary_file(tmp):
    path = os.path.join(tmp, "out.prof")
    assert files.write_file(path, b"x" * 3_000_000) is True
    with open(path, "rb") as f:
        assert f.read() == b"x" * 3_000_000
    assert os.listdir(tmp) == ["out.prof"]


def test_temporary_names_are_unpredictable_and_beside_the_target(tmp):
    path = os.path.join(tmp, "out.prof")
    names = {files.temporary_name(path) for _ in range(100)}
    assert len(names) == 100
    assert all(os.path.dirname(n) == tmp and os.path.basename(n).startswith(".out.prof.") for n in names)


def test_a_link_planted_at_the_temporary_name_is_not_followed(tmp, victim, guessable, capsys):
    path = os.path.join(tmp, "out.prof")
    link = plant(guessable(path), victim)
    assert files.write_file(path, b"profile") is False
    assert_untouched(victim, link)
    assert not os.path.exists(path)
    err = capsys.readouterr().err
    assert err == "flameprof_py: cannot write %s: File exists\n" % path


def test_the_old_predictable_names_mean_nothing(tmp, victim):
    # Earlier versions wrote PATH.<pid>.tmp and PATH.<id>.tmp with a plain open().
    path = os.path.join(tmp, "out.prof")
    links = [plant("%s.%d.tmp" % (path, os.getpid()), victim), plant(path + ".tmp", victim)]
    assert files.write_file(path, b"profile") is True
    for link in links:
        assert_untouched(victim, link)
    with open(path, "rb") as f:
        assert f.read() == b"profile"


def test_a_link_at_the_target_is_replaced_not_followed(tmp, victim):
    path = plant(os.path.join(tmp, "out.prof"), victim)
    assert files.write_file(path, b"profile") is True
    assert not os.path.islink(path)
    with open(victim, "rb") as f:
        assert f.read() == b"precious"


def test_a_failure_is_one_line_and_no_exception_unless_asked(tmp, capsys):
    path = os.path.join(tmp, "missing", "out.prof")
    assert files.write_file(path, b"profile") is False
    assert capsys.readouterr().err == "flameprof_py: cannot write %s: No such file or directory\n" % path
    with pytest.raises(FileNotFoundError):
        files.write_file(path, b"profile", raise_errors=True)


def test_a_block_dump_does_not_follow_a_planted_link(tmp, victim, guessable, capsys):
    path = os.path.join(tmp, "block.prof")
    link = plant(guessable(path), victim)
    with profile(path):
        sum(range(1000))
    assert_untouched(victim, link)
    assert not os.path.exists(path)
    assert capsys.readouterr().err.count("\n") == 1
    # ... and may raise, when asked to.
    with pytest.raises(FileExistsError):
        with profile(path, raise_errors=True):
            sum(range(1000))


def test_a_block_dump_is_a_pstats_file(tmp):
    path = os.path.join(tmp, "block.prof")
    with profile(path, cpu=True):
        sorted(range(1000), key=lambda i: -i)
    with open(path, "rb") as f:
        stats = marshal.load(f)
    assert any(name == "<built-in method builtins.sorted>" for (_, _, name) in stats)


def test_a_per_request_dump_does_not_follow_a_planted_link(tmp, victim, guessable, monkeypatch, capsys):
    monkeypatch.setattr("time.time", lambda: 1700000000.0)
    out = os.path.join(tmp, "requests")
    os.mkdir(out)
    path = os.path.join(out, "GET.api.items.1700000000.000.0ms.prof")
    link = plant(guessable(path), victim)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    body = ProfileMiddleware(app, out)({"REQUEST_METHOD": "GET", "PATH_INFO": "/api/items"}, lambda *a: None)
    assert list(body) == [b"ok"]
    body.close()
    assert_untouched(victim, link)
    assert not os.path.exists(path)
    assert capsys.readouterr().err == "flameprof_py: cannot write %s: File exists\n" % path
    assert sorted(os.listdir(out)) == [os.path.basename(link)]


def test_a_sampled_dump_does_not_follow_a_planted_link(tmp, victim, guessable, capsys):
    path = os.path.join(tmp, "live.folded")
    link = plant(guessable(path), victim)
    c = Collector(interval=0.001)
    assert c.save(path) is False
    assert_untouched(victim, link)
    assert capsys.readouterr().err == "flameprof_py: cannot write %s: File exists\n" % path
