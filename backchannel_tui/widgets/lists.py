"""Option lists whose Enter says what it does in the footer. Apart from
``backchannel_tui.widgets.options`` (a round's options), which needs the rules and the
wording layer: the picker's lists come without them."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class OpenList(OptionList):
    """An option list whose Enter shows in the footer as 'Open'."""

    BINDINGS = [Binding("enter", "select", "Open")]


class RewindList(OptionList):
    BINDINGS = [Binding("enter", "select", "Rewind here")]
