"""The app's few remembered settings (today: the theme), kept as JSON in the user's config
directory: $BACKCHANNEL_CONFIG_DIR when set (tests set it), else platformdirs' user config
directory. A missing or damaged file means the defaults; saving never raises."""

from __future__ import annotations

import json
import os
from pathlib import Path


def config_dir() -> Path:
    override = os.environ.get("BACKCHANNEL_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("backchannel", appauthor=False))


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load() -> dict[str, object]:
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(changes: dict[str, object]) -> None:
    """Merge ``changes`` into the settings file (written whole, then renamed into place)."""
    data = load() | changes
    path = settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home must not stop the game; the theme is just not remembered
