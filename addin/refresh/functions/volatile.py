"""What the volatile functions read: the refresh's "today" and random generator.

``jixiao refresh --today YYYY-MM-DD --seed N`` sets them (:func:`configure`);
left alone, today is the machine's date and the generator is seeded from the
system. TODAY/NOW and RAND/RANDBETWEEN read only these, so one refresh sees one
date and a seeded refresh is reproducible.

The refresh job (:mod:`addin.refresh.job`) configures them from each file's
task (:class:`addin.refresh.job.RefreshTask` carries the day and the seed) in
the process that refreshes the file — this one, a ``--jobs`` worker or a Dask
worker alike — so every file starts its generator from the seed, whichever
process runs it and in whatever order.
"""

from __future__ import annotations

import datetime as _dt
import random

_STATE: dict[str, object] = {}


def configure(today: _dt.date | None = None, seed: int | None = None) -> None:
    """Fix the date TODAY() returns (``None``: the machine's) and seed RAND()."""
    _STATE["today"] = today
    _STATE["rng"] = random.Random(seed)


def _configured_day() -> _dt.date | None:
    d = _STATE.get("today")
    return d if isinstance(d, _dt.date) else None


def today() -> _dt.date:
    """The date TODAY() and NOW() stand on."""
    _STATE["read"] = True
    return _configured_day() or _dt.date.today()


def now() -> _dt.datetime:
    """NOW(): the fixed day at the machine's time of day, or the machine's now."""
    _STATE["read"] = True
    d = _configured_day()
    n = _dt.datetime.now()
    return _dt.datetime.combine(d, n.time()) if d is not None else n


def rng() -> random.Random:
    """The random generator RAND()/RANDBETWEEN() draw from."""
    _STATE["read"] = True
    r = _STATE.get("rng")
    if not isinstance(r, random.Random):
        r = _STATE["rng"] = random.Random()
    return r


def watch() -> None:
    """Start noting whether a volatile function reads the day or the generator
    (one file's refresh: the command says which day TODAY() took only then)."""
    _STATE["read"] = False


def was_read() -> bool:
    """Whether TODAY/NOW/RAND/RANDBETWEEN ran since :func:`watch`."""
    return bool(_STATE.get("read"))
