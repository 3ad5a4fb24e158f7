"""What is wrong with a data folder that cannot be made or written, said as a setup mistake.

Two mistakes look alike to the kernel and need different fixes: a file where the folder (or one
of its parents) should be, and a folder owned by someone else. "Fix its permissions" is no help
for the first, so the file is named instead. (A full or read-only disk is not a setup mistake:
``readonly.storage_problem`` handles those.)
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["file_in_the_way", "folder_mistake"]


def file_in_the_way(data_dir: Path) -> Path | None:
    """The data folder itself, or the nearest parent, when it exists and is not a folder."""
    for path in (data_dir, *data_dir.parents):
        if path.exists() or path.is_symlink():
            return None if path.is_dir() else path
    return None


def folder_mistake(data_dir: Path, error: OSError) -> tuple[str, str]:
    """(what is wrong, what to do) for a data folder that cannot be made or written."""
    blocking = file_in_the_way(data_dir)
    if blocking is not None:
        where = "it" if blocking == data_dir else f"{blocking}, on its path,"
        return (
            f"{data_dir} cannot be the data folder: {where} is a file, not a folder",
            f"choose a folder with --data-dir DIR (or data_dir in the config file), or move "
            f"the file {blocking} away",
        )
    return (
        f"cannot write {data_dir}: {error.strerror or error}",
        f"make it yours and writable (sudo chown -R $USER {data_dir}; chmod 700 {data_dir}), "
        "or choose another folder with --data-dir DIR (or data_dir in the config file)",
    )
