"""A user's HDF5 file read once, in a guarded child process, into plain checked values: its snapshot.

libhdf5 is C code, and a damaged or hand-made file can crash it (one byte
changed in a Keras 2 model makes it dereference a bad pointer reading the
``layer_names`` attribute), make it loop forever (another byte, reading the
root ``model_config`` attribute: the job then ignores SIGTERM, since Python's
signal handlers never run inside C) or make it allocate without bound
(variable-length strings that all point to one large heap object). So the
tool's own process never opens a user's HDF5 file: ``read_snapshot`` runs
``_read_in_child`` through guarded_child (memory, CPU and wall-clock limits,
no plugins), and any crash, hang or memory failure there becomes one line,
"the model file is damaged: the HDF5 library crashed reading <what>".

The child, importing only h5py and numpy (and this package's errors and
resources modules):

1. walks the file without recursion and reads no data: every link must be a
   hard link inside the file, every object a group or a dataset, a dataset
   neither virtual nor stored in another file, of numbers (or text when the
   caller allows it), compressed only with filters built into HDF5 (an
   unknown filter would make libhdf5 search its plugin folders for code to
   load; the child also runs with plugins switched off). It adds up the
   bytes the datasets declare and refuses the file beyond the memory plan
   before reading one.
2. reads every attribute, and the datasets the loaders use (all of them for
   a .keras archive's weights, which Keras reads whole afterwards): numbers
   whole, fixed-length text refused from its declared size, variable-length
   text in pieces (each element is at most the file's size) with a running
   total, so a text over MAX_TEXT is refused without reading it all.
3. writes the structure, the attributes and the texts as JSON and the
   numbers as an ``.npz`` (no pickles) into its folder.

The parent loads those into a small typed tree (``Group``, ``Dataset``,
attribute values: ``str``, lists of ``str``, numpy arrays) and removes the
folder. Snapshots are cached by the file's path, size and modification time,
so a tool's pre-TensorFlow check and its loader read a file once.
"""

from __future__ import annotations

import collections
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from .errors import UserError, shown, summarise
from .guarded_child import ChildFailed, Limits, run_guarded
from .resources import check_allocation, memory_budget_bytes, readable

MAX_OBJECTS = 100_000  # far beyond a model's groups and datasets; bounds a file whose links loop
# A text a model file holds (a configuration, settings, a class name): the most any real one needs.
# Also the most text one dataset may hold in all (a list of class names).
MAX_TEXT = 16 * 1024**2
MAX_NAME = 1024  # an object's or an attribute's name: Keras' longest are a few dozen characters
MAX_PATH = 4096  # an object's full path: Keras nests a few levels deep
# Filters built into libhdf5 (deflate, shuffle, fletcher32, szip, nbit, scaleoffset) and h5py's own LZF.
BUILT_IN_FILTERS = {1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset",
                    32000: "lzf"}
# Wall clock for reading a file: generous for a model of hundreds of MB on a slow disk, short for a hang.
BASE_TIMEOUT_S = 30
BYTES_PER_SECOND = 20 * 1024**2
TIMEOUT_ENV = "GALAXY_KERAS_HDF5_TIMEOUT"  # an admin's (or a test's) wall clock for one file, in seconds
# Which datasets the loaders use, by layout; every other dataset is checked (kind, storage, size) but not read.
KERAS_H5_READ = ("/model_weights",)
GALAXY_ML_READ = ("/-model_config-", "/-keras_models-/0/class_name", "/-keras_models-/0/params",
                  "/-keras_models-/0/weights", "/-keras_models-/0/attributes/classes_")
GALAXY_ML_ROOT_NAMES = ("-model_config-", "-keras_models-", "-reduce-")


# -- the typed tree the parent reads -----------------------------------------------------------------------

@dataclass(frozen=True)
class TooLong:
    """A text attribute longer than MAX_TEXT: its length, not its text."""

    length: int


@dataclass(frozen=True)
class Unreadable:
    """An attribute of a type none of the loaders use (a reference, a compound): its type's name."""

    dtype: str


@dataclass
class Dataset:
    path: str
    shape: tuple[int, ...]
    dtype: str
    value: Any = None  # numbers: a numpy array; text: str (scalar) or a list of str; None when not read
    read: bool = False

    @property
    def is_text(self) -> bool:
        return self.dtype in ("text", "vltext")


@dataclass
class Group:
    path: str
    attrs: dict[str, Any] = field(default_factory=dict)
    members: dict[str, "Group | Dataset"] = field(default_factory=dict)

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    def __len__(self) -> int:
        return len(self.members)

    def __iter__(self) -> Iterator[str]:
        return iter(self.members)

    def get(self, path: str) -> "Group | Dataset | None":
        """The object at ``path`` (names separated by "/") below this group, or None."""
        node: Group | Dataset | None = self
        for name in path.strip("/").split("/"):
            if not isinstance(node, Group):
                return None
            node = node.members.get(name)
        return node

    def group(self, path: str, what: str) -> "Group":
        node = self.get(path)
        if not isinstance(node, Group):
            state = "is missing" if node is None else "is a dataset where a group is expected"
            raise UserError(f"{what} {state}; the file is damaged")
        return node

    def dataset(self, path: str, what: str) -> Dataset:
        node = self.get(path)
        if not isinstance(node, Dataset):
            state = "is missing" if node is None else "is a group where a dataset is expected"
            raise UserError(f"{what} {state}; the file is damaged")
        return node


@dataclass
class Snapshot:
    root: Group
    total: int  # the bytes the datasets declare (variable-length text: the bytes read)
    layout: str  # "galaxy_ml", "keras_h5" or "other"


_CACHE: dict[tuple, Snapshot] = {}


def read_snapshot(path: Path, what: str, text: bool, read_all: bool, budget_what: str, advice: str,
                  keep: bool = True) -> Snapshot:
    """The file's snapshot, read in a guarded child; cached for the file's path, size and modification time.

    ``what`` names the file in messages ("the model file"); ``text``: text
    datasets allowed; ``read_all``: read every dataset (else those the loaders
    use); ``budget_what``/``advice``: the message when the declared sizes are
    beyond the memory plan; ``keep``: hand the numbers back (without it the
    child reads them all but returns only the structure, texts and
    attributes: for a file that Keras reads afterwards).
    """
    stat = Path(path).stat()
    key = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns, what, text, read_all, keep)
    if key in _CACHE:
        return _CACHE[key]
    folder = Path(tempfile.mkdtemp(prefix="hdf5-read-"))
    try:
        (folder / "no-plugins").mkdir()
        limits = _limits(stat.st_size)
        args = {"path": str(Path(path).resolve()), "what": what, "text": text, "read_all": read_all,
                "budget_what": budget_what, "advice": advice, "keep": keep}
        # No plugin is ever loaded: an empty plugin folder, and "::" (HDF5's word for none) for preloading.
        env = {"HDF5_PLUGIN_PATH": str(folder / "no-plugins"), "HDF5_PLUGIN_PRELOAD": "::"}
        try:
            result = run_guarded("galaxy_keras.hdf5_snapshot:_read_in_child", args, folder, limits, env)
        except ChildFailed as failed:
            raise UserError(_failure_message(failed, what, limits)) from None
        snapshot = _load(result, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _CACHE.clear()  # one file at a time: the tools read one model; a cache of one bounds the memory held
    _CACHE[key] = snapshot
    return snapshot


def release_snapshots() -> None:
    """Forget the cached snapshots (the caller keeps the one it holds), so that their arrays are not held twice."""
    _CACHE.clear()


def _limits(size: int) -> Limits:
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    default = BASE_TIMEOUT_S + size / BYTES_PER_SECOND
    try:
        timeout = float(text) if text else default
    except ValueError:
        timeout = default
    timeout = max(timeout, 1.0) if math.isfinite(timeout) else default  # "nan" or "inf": the default
    # The datasets may take half the plan (check_allocation); variable-length text and copies need some more.
    return Limits(timeout_s=timeout, memory_bytes=memory_budget_bytes() // 2 + 4 * MAX_TEXT,
                  cpu_s=math.ceil(timeout) + 2)


def _failure_message(failed: ChildFailed, what: str, limits: Limits) -> str:
    doing = failed.doing
    if failed.kind == "crash":
        return f"{what} is damaged: the HDF5 library crashed ({failed.detail}) reading {doing}; upload it again"
    if failed.kind in ("timeout", "cpu"):
        return (f"{what} is damaged: the HDF5 library did not finish reading {doing} within "
                f"{limits.timeout_s:g} s; upload it again")
    if failed.kind == "memory":
        return (f"{what} is damaged: the HDF5 library ran out of memory reading {doing} (more than "
                f"{readable(limits.memory_bytes)}); upload it again")
    if failed.kind == "killed":
        return f"{what} could not be read: the reading of {doing} was killed ({failed.detail})"
    # An exit without a result and without a signal is a bug of the child's code, not the file's: not a UserError.
    raise RuntimeError(f"reading {what} failed in the child process ({failed.detail}, reading {doing})")


def _load(result: dict[str, Any], folder: Path) -> Snapshot:
    """The child's JSON and arrays as the typed tree; the arrays file holds numbers only (no pickles)."""
    import numpy as np

    arrays: dict[str, Any] = {}
    if result["arrays"]:
        with np.load(folder / result["arrays"], allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}

    def value(entry: dict[str, Any]) -> Any:
        if "array" in entry:
            return arrays[entry["array"]]
        if "text" in entry:
            return entry["text"]
        if "texts" in entry:
            return entry["texts"]
        if "too_long" in entry:
            return TooLong(entry["too_long"])
        if "empty" in entry:
            return None
        return Unreadable(entry.get("other", "unknown"))

    nodes: dict[str, Group | Dataset] = {}
    for path, entry in result["nodes"].items():  # parents come before their members (the child's walk order)
        if entry["kind"] == "group":
            node: Group | Dataset = Group(path, {name: value(item) for name, item in entry["attrs"].items()})
        else:
            node = Dataset(path, tuple(entry["shape"]), entry["dtype"],
                           value(entry["data"]) if "data" in entry else None, "data" in entry)
        nodes[path] = node
        if path != "/":
            parent, _, name = path.rpartition("/")
            owner = nodes[parent or "/"]
            assert isinstance(owner, Group)
            owner.members[name] = node
    root = nodes["/"]
    assert isinstance(root, Group)
    return Snapshot(root, result["total"], result["layout"])


# -- the child's side --------------------------------------------------------------------------------------

def _read_in_child(folder: Path, progress: Callable[[str], None], path: str, what: str, text: bool,
                   read_all: bool, budget_what: str, advice: str, keep: bool) -> dict[str, Any]:
    """Runs in the guarded child (see the module's docstring); returns the JSON the parent loads."""
    import h5py
    import numpy as np

    progress(f"{what}'s header (superblock)")
    try:
        handle = h5py.File(path, "r")
    except Exception as err:  # noqa: BLE001 - h5py raises many types for a file that is not HDF5
        raise UserError(f"{what} is not a readable HDF5 file (truncated or damaged?): {summarise(err)}") from None
    with handle:
        reader = _Reader(handle, what, text, progress, os.path.getsize(path), keep)
        try:
            reader.walk()
            layout = _layout(reader.nodes["/"]["members"])
            check_allocation(reader.total, budget_what, advice)
            prefixes = ("",) if read_all else (GALAXY_ML_READ if layout == "galaxy_ml" else KERAS_H5_READ)
            reader.read(prefixes)
        except (UserError, MemoryError):
            raise
        except Exception as err:  # noqa: BLE001 - h5py raises many types for a damaged object
            raise UserError(f"{what} is a damaged HDF5 file (reading {reader.doing}): {summarise(err)}; upload it "
                            f"again") from None
    name = None
    if reader.arrays:
        name = "arrays.npz"
        np.savez(folder / name, **reader.arrays)
    return {"nodes": reader.nodes, "total": reader.total, "layout": layout, "arrays": name}


def _layout(root_members: list[str]) -> str:
    if any(name in root_members for name in GALAXY_ML_ROOT_NAMES):
        return "galaxy_ml"
    return "keras_h5" if "model_weights" in root_members else "other"


class _Reader:
    """The child's walk (structure, declared sizes) and reads (attributes, datasets) of one open file."""

    def __init__(self, handle: Any, what: str, text: bool, progress: Callable[[str], None], file_size: int,
                 keep: bool):
        self.handle, self.what, self.text, self._progress, self.keep = handle, what, text, progress, keep
        self.file_size = max(file_size, 1)
        self.nodes: dict[str, dict[str, Any]] = {}
        self.arrays: dict[str, Any] = {}
        self.total = 0
        self.doing = "the file"

    def progress(self, doing: str) -> None:
        self.doing = doing
        self._progress(doing)

    def refuse(self, message: str) -> UserError:
        return UserError(f"{self.what} {message}")

    # Stage 1: structure only, no data.
    def walk(self) -> None:
        import h5py

        seen_groups = {self.handle.id}
        queue = collections.deque([("/", self.handle)])  # the group object itself: no lookup by a long path
        count = 0
        while queue:
            where, group = queue.popleft()  # breadth first, so that a parent's entry precedes its members'
            self.progress(f"the member list of the group '{shown(where)}'")
            names = list(group)
            self.nodes[where] = {"kind": "group", "members": names, "attrs": {}}
            for name in names:
                count += 1
                if count > MAX_OBJECTS:
                    raise self.refuse(f"has more than {MAX_OBJECTS:,} objects; refusing to read it")
                if not isinstance(name, str) or len(name) > MAX_NAME or "/" in name or name in ("", ".", ".."):
                    raise self.refuse(f"has an object named {shown(name)} in '{shown(where)}', a name Keras never "
                                      f"writes; refusing to read it")
                item = f"{where.rstrip('/')}/{name}"
                if len(item) > MAX_PATH:
                    raise self.refuse(f"has objects nested too deeply ('{shown(item)}'), as Keras never writes; "
                                      f"refusing to read it")
                self.progress(f"the link '{shown(item)}'")
                link = group.get(name, getlink=True)
                if not isinstance(link, h5py.HardLink):
                    target = "another file" if isinstance(link, h5py.ExternalLink) else "elsewhere"
                    raise self.refuse(f"has a link '{shown(item)}' to {target}, which Keras never writes; refusing "
                                      f"to read it")
                self.progress(f"the object '{shown(item)}'")
                node = group[name]
                if isinstance(node, h5py.Group):
                    if node.id in seen_groups:
                        raise self.refuse(f"links the group '{shown(item)}' into itself or twice (a loop), which "
                                          f"Keras never writes; refusing to read it")
                    seen_groups.add(node.id)
                    queue.append((item, node))
                elif isinstance(node, h5py.Dataset):
                    self.nodes[item] = self._declared(node, item)
                else:
                    raise self.refuse(f"has the object '{shown(item)}', neither a group nor a dataset (a named "
                                      f"type?), which Keras never writes; refusing to read it")

    def _declared(self, node: Any, item: str) -> dict[str, Any]:
        """A dataset's kind, storage and declared size, from its header only."""
        import h5py

        self.progress(f"the header of the dataset '{shown(item)}'")
        if node.is_virtual or node.external:
            kind = "a virtual dataset" if node.is_virtual else "stored in another file (external storage)"
            raise self.refuse(f"has the dataset '{shown(item)}' {kind}, which Keras never writes; refusing to "
                              f"read it")
        plist = node.id.get_create_plist()
        for index in range(plist.get_nfilters()):
            code, _flags, _values, name = plist.get_filter(index)
            if code not in BUILT_IN_FILTERS:
                raise self.refuse(f"has the dataset '{shown(item)}' compressed with the filter {code} "
                                  f"({shown(name.decode('utf-8', 'replace') if isinstance(name, bytes) else name)}),"
                                  f" which is not built into HDF5 (HDF5 would look for code to load for it); "
                                  f"refusing to read it")
        dtype, shape = node.dtype, tuple(int(n) for n in node.shape) if node.shape is not None else ()
        size = math.prod(shape)
        if dtype.kind in "fiub":
            self.total += size * dtype.itemsize
            return {"kind": "dataset", "shape": shape, "dtype": dtype.str}
        string = h5py.check_string_dtype(dtype)
        if self.text and (dtype.kind == "S" or string is not None):
            if size > MAX_OBJECTS:
                raise self.refuse(f"has the text dataset '{shown(item)}' of {size:,} texts, more than the "
                                  f"{MAX_OBJECTS:,} any model needs; refusing to read it")
            if string is None or string.length is not None:  # fixed-length: its size is declared
                declared = size * dtype.itemsize
                if declared > MAX_TEXT:
                    raise self.refuse(f"has the text dataset '{shown(item)}' of {readable(declared)}, more than "
                                      f"the {readable(MAX_TEXT)} any model needs; refusing to read it")
                self.total += declared
                return {"kind": "dataset", "shape": shape, "dtype": "text"}
            return {"kind": "dataset", "shape": shape, "dtype": "vltext"}
        raise self.refuse(f"has the dataset '{shown(item)}' of type {shown(str(dtype))}, not numbers; refusing "
                          f"to read it")

    # Stage 2: every attribute, and the datasets under ``prefixes``.
    def read(self, prefixes: tuple[str, ...]) -> None:
        for item, entry in self.nodes.items():
            obj = self.handle if item == "/" else self.handle[item]
            entry["attrs"] = self._attributes(obj, item)
            if entry["kind"] == "dataset" and any(item == p or item.startswith(p + "/") for p in prefixes):
                entry["data"] = self._data(obj, item, entry)

    def _attributes(self, obj: Any, item: str) -> dict[str, Any]:
        self.progress(f"the attribute names of '{shown(item)}'")
        names = list(obj.attrs)
        if len(names) > MAX_OBJECTS:
            raise self.refuse(f"has more than {MAX_OBJECTS:,} attributes on '{shown(item)}'; refusing to read it")
        values = {}
        for name in names:
            if not isinstance(name, str) or len(name) > MAX_NAME:
                raise self.refuse(f"has an attribute named {shown(name)} on '{shown(item)}', a name Keras never "
                                  f"writes; refusing to read it")
            self.progress(f"the attribute '{shown(name)}' of '{shown(item)}'")
            values[name] = self._attribute(obj, name, f"{item}@{name}")
        return values

    def _attribute(self, obj: Any, name: str, key: str) -> dict[str, Any]:
        import h5py
        import numpy as np

        attr_id = obj.attrs.get_id(name)
        dtype = attr_id.dtype
        shape = attr_id.shape  # None: an empty (null) attribute; variable-length items count their references
        declared = math.prod(shape) * dtype.itemsize if shape is not None else 0
        if declared > memory_budget_bytes() // 4:
            raise self.refuse(f"has an attribute '{shown(name)}' of {readable(declared)}; refusing to read it")
        # Read whatever its type: a type no loader uses is read too (and dropped), so that a crash in
        # libhdf5's conversion of it happens here, not in Keras (which reads every attribute of its files).
        try:
            value = obj.attrs[name]
        except UnicodeDecodeError:
            return {"text": "\udcff"}  # not UTF-8: read_text refuses it where it is used
        if not (dtype.kind in "fiub" or dtype.kind == "S" or h5py.check_string_dtype(dtype) is not None):
            return {"other": str(dtype)}
        if isinstance(value, h5py.Empty):
            return {"empty": True}
        if isinstance(value, (bytes, str)):
            return _text_entry(value)
        array = np.asarray(value)
        if array.dtype.kind in "fiub":
            self.arrays[f"a{len(self.arrays)}"] = array
            return {"array": f"a{len(self.arrays) - 1}"}
        if array.dtype.kind in "SUO":
            texts = [_decode(item) for item in array.reshape(-1).tolist()]
            if not all(isinstance(item, str) for item in texts):
                return {"other": str(dtype)}
            if sum(len(item) for item in texts) > MAX_TEXT:
                return {"too_long": sum(len(item) for item in texts)}
            if array.ndim == 0:
                return _text_entry(texts[0])
            return {"texts": np.array(texts, dtype=object).reshape(array.shape).tolist()}
        return {"other": str(dtype)}

    def _data(self, node: Any, item: str, entry: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        self.progress(f"the dataset '{shown(item)}'")
        if entry["dtype"] not in ("text", "vltext"):
            array = np.asarray(node[()])
            if not self.keep:
                return {"other": "not kept"}
            self.arrays[f"a{len(self.arrays)}"] = array
            return {"array": f"a{len(self.arrays) - 1}"}
        if node.shape == ():
            return _text_entry(node[()])
        flat, read, length = node.shape, 0, 0
        if len(flat) != 1:
            raise self.refuse(f"has the text dataset '{shown(item)}' of shape {flat}, not a list; refusing to "
                              f"read it")
        # Each variable-length element is at most the file's size (its bytes are in the file): pieces of
        # this many elements take at most MAX_TEXT, and the running total stops a heap bomb early.
        step = max(1, min(4096, MAX_TEXT // self.file_size))
        texts: list[str] = []
        while read < flat[0]:
            piece = node[read:read + step]
            read += step
            for element in piece.tolist():
                text = _decode(element)
                if not isinstance(text, str):
                    raise self.refuse(f"has the dataset '{shown(item)}' holding something other than text")
                length += len(text)
                if length > MAX_TEXT:
                    raise self.refuse(f"has the text dataset '{shown(item)}' of more than {readable(MAX_TEXT)} "
                                      f"of text, more than any model needs; refusing to read it")
                texts.append(text)
        return {"texts": texts}


def _decode(value: Any) -> Any:
    """Bytes as text, keeping bytes that are not UTF-8 as escapes (read_text refuses them where used)."""
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def _text_entry(value: Any) -> dict[str, Any]:
    text = _decode(value)
    if not isinstance(text, str):
        return {"other": type(value).__name__}
    return {"too_long": len(text)} if len(text) > MAX_TEXT else {"text": text}
