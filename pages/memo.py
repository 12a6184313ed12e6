"""Results shared by every session: computed once per input combination."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from explorer import Assessment, Content, evaluate

T = TypeVar("T")


MEMO_SIZE = 2048


class ContentMemo(Generic[T]):
    """A small thread-safe LRU for pure functions of (content, hashable arguments...).

    Every session shares it: in a room of 100 people a slider move mostly lands on an input
    combination someone has already seen. A hit costs about a microsecond, where an
    `st.cache_resource` hit costs about 0.15 ms (it hashes its arguments), which is a lot
    next to a ~7 ms rerun. Entries are keyed by the content object's identity (and keep it
    alive, so an id is never reused while cached); cached values are never mutated.
    """

    def __init__(self, function: Callable[..., T], maxsize: int = MEMO_SIZE) -> None:
        self._function = function
        self._maxsize = maxsize
        self._entries: OrderedDict[tuple, tuple[Content, T]] = OrderedDict()
        self._lock = threading.Lock()
        self.__doc__ = function.__doc__

    def __call__(self, content: Content, *args: Hashable) -> T:
        key = (id(content), *args)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] is content:
                self._entries.move_to_end(key)
                return hit[1]
        value = self._function(content, *args)
        with self._lock:
            self._entries[key] = (content, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def inputs_key(inputs: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """A hashable, order-independent key for a set of inputs."""
    return tuple(sorted(inputs.items()))


@ContentMemo
def _assess(content: Content, key: tuple[tuple[str, str], ...]) -> Assessment:
    return evaluate(dict(key), content=content)


def assess(content: Content, inputs: dict[str, str]) -> Assessment:
    """`explorer.evaluate(inputs, content=content)`, computed once per input combination."""
    return _assess(content, inputs_key(inputs))
