"""YAML for documents users upload (rule packs, scorecards), parsed within fixed bounds.

PyYAML's safe loader builds no objects, but an alias bomb (nested ``&a [*b, *b, ...]``) of a
few hundred bytes expands to billions of nodes for whatever walks the result, and deep
nesting recurses without limit. So anchors and aliases are refused outright (a pack never
needs them: phrase sets are shared by ``"@name"``), and size and depth are bounded.
"""

from __future__ import annotations

import yaml
from yaml.composer import ComposerError
from yaml.scanner import ScannerError

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
NO_ALIASES = (
    "anchors and aliases (&name, *name, <<) are not allowed here: write the value out "
    '(phrase lists are shared with phrase_sets and "@name")'
)


class BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses anchors/aliases and nesting deeper than ``MAX_DEPTH``."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def fetch_flow_collection_start(self, token_class: type) -> None:
        # Checked while scanning: the scanner's cost grows with the square of flow depth, so
        # ``[[[[...`` must stop here, before the composer ever sees it.
        if self.flow_level >= MAX_DEPTH:
            message = f"nested deeper than {MAX_DEPTH} levels"
            raise ScannerError(None, None, message, self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ComposerError(None, None, NO_ALIASES, event.start_mark)
        if self._depth >= MAX_DEPTH:
            message = f"nested deeper than {MAX_DEPTH} levels"
            raise ComposerError(None, None, message, event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def too_large(text: str) -> bool:
    return len(text.encode("utf-8")) > MAX_BYTES


def compose(loader: BoundedLoader) -> tuple[yaml.Node | None, object]:
    """The single document's node tree and its data.

    Raises ``yaml.YAMLError`` for bad YAML and ``ValueError`` for values Python refuses
    (an integer of more than 4300 digits).
    """
    node = loader.get_single_node()
    return node, loader.construct_document(node) if node is not None else None


def load(text: str) -> object:
    """The data of one bounded YAML document (errors as in ``compose``)."""
    loader = BoundedLoader(text)
    try:
        return compose(loader)[1]
    finally:
        loader.dispose()
