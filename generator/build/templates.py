"""The theme's Jinja templates, compiled once and kept.

MkDocs makes a new Jinja environment for each build, with no bytecode cache: every build
compiles Material's templates again (half a second, a tenth of a `serve` rebuild after an
edit). `CompiledTemplates` keeps the compiled code in memory (a `serve` rebuild reuses the
last build's) and in Jinja's per-user cache folder (a one-off build reuses the last one's).

Compiled code depends on more than a template's text: on how the environment calls each
filter and test, on its extensions and settings. So each entry's key holds those too, as
they are when the template is loaded (a plugin that adds a filter gets its templates
compiled again), and the ownbook and Jinja versions; Jinja itself checks the source's
checksum and its own bytecode format.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Mapping
from types import CodeType
from typing import Any

import jinja2
from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache
from jinja2.bccache import Bucket

from .. import __version__


class CompiledTemplates(BytecodeCache):
    """In memory first, then on disk (where a per-user cache folder can be had)."""

    def __init__(self, *, on_disk: bool = True) -> None:
        self._memory: dict[str, tuple[str, CodeType]] = {}
        self._disk: _OnDisk | None = None
        if on_disk:
            try:
                self._disk = _OnDisk(pattern="__ownbook_theme_%s.cache")
            except (OSError, RuntimeError):  # no safe folder: compiled in memory only
                self._disk = None

    def load_bytecode(self, bucket: Bucket) -> None:
        key = _key(bucket)
        found = self._memory.get(key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]
            return
        if self._disk is not None:
            try:
                self._disk.load_bytecode(bucket)  # checks the format and the checksum
            except (OSError, ValueError, EOFError, TypeError):
                bucket.reset()
            if bucket.code is not None:
                self._memory[key] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None:
            return
        key = _key(bucket)
        self._memory[key] = (bucket.checksum, bucket.code)
        if self._disk is not None:
            # a full or read-only disk: the build goes on, and compiles next time
            with contextlib.suppress(OSError):
                self._disk.dump_bytecode(bucket)


class _OnDisk(FileSystemBytecodeCache):
    """Jinja's own file cache (a per-user folder it creates and checks), by our key."""

    def _get_cache_filename(self, bucket: Bucket) -> str:
        return os.path.join(self.directory, self.pattern % (_key(bucket),))


def _key(bucket: Bucket) -> str:
    """The template's own key (a hash of its name), and all its compiled code depends on."""
    parts = (bucket.key, __version__, jinja2.__version__, _conventions(bucket.environment))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _conventions(env: Environment) -> tuple[Any, ...]:
    def calls(functions: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        return tuple(
            sorted((name, str(getattr(f, "jinja_pass_arg", ""))) for name, f in functions.items())
        )

    return (
        calls(env.filters),
        calls(env.tests),
        tuple(sorted(env.extensions)),
        env.optimized,
        env.block_start_string,
        env.variable_start_string,
        env.comment_start_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        _named(env.autoescape),
        _named(env.finalize),
        os.name,
    )


def _named(setting: object) -> str:
    """A setting of the environment, the same in every build: a function by its name."""
    if callable(setting):
        return f"{getattr(setting, '__module__', '')}.{getattr(setting, '__qualname__', '')}"
    return repr(setting)
