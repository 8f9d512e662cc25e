"""What the volatile functions read: the refresh's "today" and random generator.

``jixiao refresh --today YYYY-MM-DD --seed N`` sets them (:func:`configure`);
left alone, today is the machine's date and the generator is seeded from the
system. TODAY/NOW and RAND/RANDBETWEEN read only these, so one refresh sees one
date and a seeded refresh is reproducible.

The settings also go into this process's environment (``JIXIAO_TODAY``,
``JIXIAO_SEED``), so the processes a refresh starts — ``--jobs`` workers, the
workers of a ``--scheduler local:N`` cluster — read the same day and seed
(each worker's generator starts from the seed). Workers of a remote Dask
cluster must be started with those variables set.
"""

from __future__ import annotations

import datetime as _dt
import os
import random

_STATE: dict[str, object] = {}
TODAY_ENV = "JIXIAO_TODAY"
SEED_ENV = "JIXIAO_SEED"


def configure(today: _dt.date | None = None, seed: int | None = None) -> None:
    """Fix the date TODAY() returns (``None``: the machine's) and seed RAND()."""
    _STATE["today"] = today
    _STATE["rng"] = random.Random(seed)
    for name, value in ((TODAY_ENV, today and today.isoformat()), (SEED_ENV, seed)):
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = str(value)


def _configured_day() -> _dt.date | None:
    d = _STATE.get("today")
    if isinstance(d, _dt.date):
        return d
    text = os.environ.get(TODAY_ENV)
    if text:
        try:
            return _dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


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
        seed = os.environ.get(SEED_ENV)
        r = _STATE["rng"] = random.Random(int(seed) if seed and seed.lstrip("-").isdigit() else None)
    return r


def watch() -> None:
    """Start noting whether a volatile function reads the day or the generator
    (one file's refresh: the command says which day TODAY() took only then)."""
    _STATE["read"] = False


def was_read() -> bool:
    """Whether TODAY/NOW/RAND/RANDBETWEEN ran since :func:`watch`."""
    return bool(_STATE.get("read"))
