"""The cyclic garbage collector paused while a large file is built.

A plant's OKR workbook is some 70,000 cells and its review pack some 1,600 paragraphs: building either makes that
many small objects that live until the file is written, and every few thousand of them CPython's collector walks the
young ones, now and then the whole heap, looking for cycles they cannot form (the Excel export spent a third of its
time there). Reference counting still frees them; the collector runs again when the block ends.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block; it resumes at the end if it was on before (so two threads that overlap
    leave it on, and an application that turned it off keeps it off)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
