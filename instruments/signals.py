"""What happened to an instrument, told to the survey layer above (which owns periods and their scores)."""

from __future__ import annotations

from django.dispatch import Signal

# A band scheme's edges or scale changed. Arguments: band_scheme_id. Sent inside the admin's save; each
# receiver returns how many periods it asked to rescore (after commit), for the admin's message.
band_scheme_changed = Signal()
