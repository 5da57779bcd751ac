"""Every action, as one tagged union with stable tags (the class names).

Import actions from here: ``from imbolc.core.actions import SetMixerLevel``.
"""

from __future__ import annotations

from typing import Any, Union

import msgspec

from imbolc.core.actions import instrument, mixer, notes, session, tempo, timeline
from imbolc.core.actions.base import Action
from imbolc.core.actions.instrument import *  # noqa: F403
from imbolc.core.actions.mixer import *  # noqa: F403
from imbolc.core.actions.notes import *  # noqa: F403
from imbolc.core.actions.session import *  # noqa: F403
from imbolc.core.actions.tempo import *  # noqa: F403
from imbolc.core.actions.timeline import *  # noqa: F403

ACTION_TYPES: tuple[type[Action], ...] = (
    *instrument.ACTIONS,
    *mixer.ACTIONS,
    *notes.ACTIONS,
    *timeline.ACTIONS,
    *session.ACTIONS,
    *tempo.ACTIONS,
)
"""Every concrete action class; its name is its tag."""

ACTION_UNION: Any = Union[ACTION_TYPES]  # noqa: UP007
"""The tagged union msgspec decodes actions into."""

ACTIONS_BY_TAG: dict[str, type[Action]] = {cls.__name__: cls for cls in ACTION_TYPES}


def action_decoder() -> msgspec.msgpack.Decoder[Any]:
    """A typed msgpack decoder for any single action."""
    return msgspec.msgpack.Decoder(ACTION_UNION)
