"""File names of per-request profiles, the same for the WSGI and the ASGI middleware, so that
`flameprof serve` groups them by what varies: {ts} and {duration}."""
import os


def safe(text):
    """`text` with every character but letters, digits, '-', '_' and '.' made '.'."""
    return "".join(c if c.isalnum() or c in "-_." else "." for c in text)


def request_name(name_format, method, path, started, seconds):
    """A profile's file name from `name_format`: {method}, {url} (the path, '/' made '.', 'root'
    for '/'), {ts} (the request's start, seconds since the epoch, to the ms) and {duration}
    (whole ms). Only the base name is kept, so no request can name a file elsewhere."""
    url = safe((path or "").strip("/").replace("/", ".")) or "root"
    name = name_format.format(
        method=safe(method or "GET"),
        url=url,
        ts="%.3f" % started,
        duration="%.0f" % (seconds * 1000),
    )
    return os.path.basename(name) or "request.prof"
