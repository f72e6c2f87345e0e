"""The two kinds of failure a job can meet (STYLE §8).

``TransientError``: the world may be different in a moment (network down, provider busy, database
locked): the task is retried with backoff. ``PermanentError``: retrying cannot help (address
refused, no sender for the channel): the job records the failure and stops.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError


class TransientError(Exception):
    """Retry later: the same call may succeed once the outside world recovers."""


class PermanentError(Exception):
    """Do not retry; the message is meant for people (Spanish, shown on the case)."""


#: What every task retries automatically: our transient errors and a database that went away or
#: stayed locked past its timeout.
RETRYABLE = (TransientError, OperationalError, InterfaceError)
