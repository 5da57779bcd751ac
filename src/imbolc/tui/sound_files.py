"""Sound files typed at prompts: the path must name a readable WAV, AIFF, FLAC or Ogg file.

The format is told by the file's first bytes, not its name, so a renamed text file is refused
before anything is stored; the engine reads the audio itself.
"""

from __future__ import annotations

from pathlib import Path

FORMATS = "WAV, AIFF, FLAC or Ogg"


def _sound_format(head: bytes) -> str | None:
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    return None


def sound_file(text: str) -> Path:
    """The absolute path of the sound file typed; raises ValueError naming the file."""
    if not text.strip():
        raise ValueError(f"no file given: type the path of a {FORMATS} file")
    path = Path(text.strip()).expanduser()
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError as error:
        raise ValueError(f"{path} cannot be read ({error.strerror or error})") from None
    if _sound_format(head) is None:
        raise ValueError(f"{path} is not a {FORMATS} sound file")
    return path.resolve()
