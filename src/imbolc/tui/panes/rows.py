"""A pane of value rows: a cursor moves over them, arrows adjust, Enter types a value.

The instrument editor, the session settings and the bus effect editor share this: each
builds its rows from the project and every key turns into ``row.build(value)``.
"""

from __future__ import annotations

from rich.text import Text

from imbolc.core.catalog import ParamSpec
from imbolc.tui.panes.editor_rows import Row, StepSize, adjusted, gauge_fraction, parse_value
from imbolc.tui.screens.prompts import PromptScreen
from imbolc.tui.widgets.state_view import Pane, visible_window
from imbolc.tui.workspace import Workspace

LABEL_WIDTH = 20
VALUE_WIDTH = 14
GAUGE_WIDTH = 20


def accepted(spec: ParamSpec) -> str:
    """What a prompt for ``spec`` accepts, as shown to the user."""
    if spec.kind == "bool":
        return "on or off"
    if spec.choices:
        return "one of " + ", ".join(spec.choices)
    kind = "a whole number" if spec.kind == "int" else "a number"
    return f"{kind} from {spec.min:g} to {spec.max:g} {spec.unit}".rstrip()


def checked_value(answer: str, row: Row) -> float:
    """The typed ``answer`` for ``row``; ValueError naming the field and what it accepts."""
    assert row.spec is not None
    spec = row.spec
    typed = answer.strip()
    named = spec.kind == "choice" and all(c.replace(".", "").isdigit() for c in spec.choices)
    if named and typed not in spec.choices:  # "3" for a beat unit is no index into 1, 2, 4...
        raise ValueError(f"{row.label}: {typed!r} is not accepted; type {accepted(spec)}")
    try:
        value = parse_value(answer, spec)
    except ValueError:
        raise ValueError(f"{row.label}: {typed!r} is not accepted; type {accepted(spec)}") from None
    if not spec.min <= value <= spec.max:
        raise ValueError(f"{row.label}: {typed} is outside the range; type {accepted(spec)}")
    if spec.kind in ("int", "choice", "bool") and value != round(value):
        raise ValueError(f"{row.label}: {typed} is not whole; type {accepted(spec)}")
    return value


def _same(old: tuple[object, ...] | None, new: tuple[object, ...]) -> bool:
    """Whether ``new`` holds the very objects of ``old``."""
    if old is None or len(old) != len(new):
        return False
    return all(a is b for a, b in zip(old, new, strict=True))


class RowsPane(Pane):
    """Rows of values under a cursor; subclasses say which rows and draw a heading."""

    def __init__(self, workspace: Workspace, *, id: str | None = None) -> None:
        super().__init__(workspace, id=id)
        self._cursor = 0
        self._rows: tuple[Row, ...] = ()
        self._rows_of: tuple[object, ...] | None = None

    def rows_source(self) -> tuple[object, ...]:
        """The subtrees the rows are built from (rebuilt when one is replaced)."""
        raise NotImplementedError

    def build_rows(self) -> tuple[Row, ...]:
        """The rows for the current project."""
        raise NotImplementedError

    def heading(self, text: Text) -> None:
        """Append the line(s) drawn above the rows."""

    @property
    def rows(self) -> tuple[Row, ...]:
        """The rows, rebuilt only when what they show changed."""
        source = self.rows_source()
        if not _same(self._rows_of, source):
            self._rows_of = source
            self._rows = self.build_rows()
        return self._rows

    @property
    def cursor(self) -> int:
        """The index of the row under the cursor (kept inside the current rows)."""
        return max(0, min(self._cursor, len(self.rows) - 1))

    @cursor.setter
    def cursor(self, index: int) -> None:
        self._cursor = index

    @property
    def row(self) -> Row | None:
        """The row under the cursor."""
        rows = self.rows
        return rows[self.cursor] if rows else None

    def focus_row(self, section: str, label: str) -> bool:
        """Put the cursor on the row ``label`` of ``section``; False if there is none."""
        for index, row in enumerate(self.rows):
            if row.section == section and row.label == label:
                self.cursor = index
                self.refresh()
                return True
        return False

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        self.heading(text)
        lines = self._lines()
        if not lines:
            return text
        used = text.plain.count("\n")
        cursor = self.cursor
        cursor_line = next(n for n, (index, _) in enumerate(lines) if index == cursor)
        for line in visible_window(cursor_line, len(lines), self.size.height - used):
            text.append(lines[line][1])
            text.append("\n")
        text.rstrip()
        return text

    def _lines(self) -> list[tuple[int | None, Text]]:
        lines: list[tuple[int | None, Text]] = []
        section = None
        for index, row in enumerate(self.rows):
            if row.section != section:
                section = row.section
                lines.append((None, Text(section, style="bold underline")))
            line = Text("  ")
            line.append(f"{row.label:<{LABEL_WIDTH}}")
            line.append(f"{row.text:>{VALUE_WIDTH}}", style="bold")
            fraction = gauge_fraction(row)
            if fraction is not None:
                filled = round(max(0.0, min(1.0, fraction)) * GAUGE_WIDTH)
                line.append("  " + "━" * filled + "─" * (GAUGE_WIDTH - filled), style="green")
            if index == self.cursor:
                line.stylize("reverse")
            lines.append((index, line))
        return lines

    def action_move(self, step: int) -> None:
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + step))
        self.refresh()

    def _set(self, row: Row, value: float) -> None:
        if row.build is not None and value != row.value:
            self.ws.dispatch(row.build(value))

    def action_adjust(self, direction: int, size: StepSize) -> None:
        row = self.row
        if row is not None:
            self._set(row, adjusted(row, direction, size))

    def action_reset(self) -> None:
        row = self.row
        if row is None:
            return
        if row.clear is not None:
            self.ws.dispatch(row.clear)
        elif row.spec is not None:
            self._set(row, row.spec.default)

    def action_type_value(self) -> None:
        row = self.row
        if row is None or row.spec is None:
            return
        title = f"{row.section} · {row.label}"
        hint = f"Type {accepted(row.spec)}"
        self.app.push_screen(PromptScreen(title, row.text.split(" ")[0], hint), self._typed)

    def _typed(self, answer: str | None) -> None:
        row = self.row
        if answer is None or row is None or row.spec is None:
            return
        try:
            value = checked_value(answer, row)
        except ValueError as error:
            self.ws.notify(str(error), "error")
            return
        if row.build is not None:
            self.ws.dispatch(row.build(value))
