"""One registry per extension point: bargaining protocols and solutions (:mod:`.models`), distributions
(:mod:`sim.scenario.quantities`), outcome columns and headline measures (:mod:`.outcomes`), figures (:mod:`.figures`)
and backtests (:mod:`.backtests`).

A registry maps a name to an entry, in the order entries were registered. Built-in entries are listed in their
registry module as ``"module:attribute"`` references, imported only when the entry is first used, so that
``import sim`` and the command line's choices stay quick; a new entry is registered from its own module with
the registry's :meth:`Registry.register`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Generic, TypeVar, overload

T = TypeVar("T")


def resolve(reference: T | str) -> T:
    """What a ``"module:attribute"`` reference names (imported now), or the object itself."""
    if not isinstance(reference, str):
        return reference
    module, _, attribute = reference.partition(":")
    return getattr(import_module(module), attribute)


class Registry(Generic[T]):
    """Named entries of one kind; an entry given as ``"module:attribute"`` is imported on first use."""

    def __init__(self, kind: str, entries: dict[str, T | str] | None = None):
        self.kind = kind
        self._entries: dict[str, T | str] = dict(entries or {})

    @overload
    def register(self, name: str) -> Callable[[T], T]: ...

    @overload
    def register(self, name: str, entry: T | str) -> T | str: ...

    def register(self, name: str, entry: T | str | None = None) -> Callable[[T], T] | T | str:
        """Add ``entry`` under ``name`` (or, without ``entry``, a decorator that adds what it decorates).
        A name already taken is refused, so that an entry never silently replaces another."""
        if entry is None:

            def decorate(item: T) -> T:
                self.register(name, item)
                return item

            return decorate
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry
        return entry

    def unregister(self, name: str) -> None:
        """Remove the entry ``name`` (a plug-in's test cleaning up after itself)."""
        del self._entries[name]

    def names(self) -> tuple[str, ...]:
        """The registered names, in the order they were registered."""
        return tuple(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def get(self, name: str) -> T | None:
        """The entry ``name`` (imported if it is a reference), or None if there is none."""
        if name not in self._entries:
            return None
        entry = self._entries[name] = resolve(self._entries[name])
        return entry

    def __getitem__(self, name: str) -> T:
        entry = self.get(name)
        if entry is None:
            raise KeyError(f"unknown {self.kind} {name!r}; choose from {', '.join(self._entries)}")
        return entry

    def items(self) -> list[tuple[str, T]]:
        """Every entry with its name, each imported."""
        return [(name, self[name]) for name in self._entries]
