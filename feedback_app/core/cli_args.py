"""Argument types shared by the `feedback` commands of every package, and the progress bar of their imports."""
import io
import os
import stat
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

import click

from feedback_app.core.numbers import ID_MAX

# An id as the database holds it (an INTEGER column): a larger number is a clear usage error, not a crash.
ID = click.IntRange(1, ID_MAX)


def file_size(file) -> int | None:
    """The size of a regular file; None for a pipe or a terminal (no size known in advance)."""
    try:
        status = os.fstat(file.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


@contextmanager
def import_progress(file, label: str, bytes_read: Callable[[], int]) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for a file imported as it is read; yields the callback the import calls with
    the rows of each batch. The bar counts bytes: a file's size is known at once and costs nothing, where
    counting rows would mean reading (and parsing, since quoted values may hold line breaks) the whole file
    twice, and a pipe cannot be read twice. Without a size (a pipe), the bar counts rows."""
    size = file_size(file)
    if size is None:
        with click.progressbar(iter(()), label=label, show_pos=True, file=sys.stderr) as bar:
            yield bar.update
    else:
        with click.progressbar(length=size, label=label, file=sys.stderr) as bar:
            yield lambda _rows: bar.update(bytes_read() - bar.pos)
            bar.update(size - bar.pos)
