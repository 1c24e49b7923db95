"""A store's named graphs written as N-Quads one graph at a time, with how many triples each holds."""

from __future__ import annotations

from typing import BinaryIO

BATCH = 4 << 20  # bytes of N-Triples rewritten at a time


class _Quads:
    """A binary sink for the N-Triples of one graph: it writes them to OUT as N-Quads of that graph.

    Oxigraph writes one triple per line, each line ending " .\\n", and escapes line breaks inside literals:
    every " .\\n" ends a triple, and the graph name goes before its dot. Lines may arrive cut across chunks.
    """

    def __init__(self, out: BinaryIO, graph: str):
        self.out = out
        self.end = f" {graph} .\n".encode()
        self.parts: list[bytes] = []  # the serializer writes 8 KB at a time: they are joined before the rewrite
        self.size = 0
        self.count = 0

    def write(self, chunk) -> int:
        self.parts.append(bytes(chunk))
        self.size += len(chunk)
        if self.size >= BATCH:
            self.drain()
        return len(chunk)

    def drain(self, last: bool = False) -> None:
        """Write the whole lines received so far (with LAST, everything; the serializer ends every line)."""
        data = b"".join(self.parts)
        cut = len(data) if last else data.rfind(b"\n") + 1
        tail = data[cut:]
        if cut:
            self.count += data.count(b"\n", 0, cut)
            self.out.write(data[:cut].replace(b" .\n", self.end))
        self.parts, self.size = ([tail], len(tail)) if tail else ([], 0)

    def flush(self) -> None:
        """Nothing to do: the lines are written in batches, and the rest by write_graph."""


def write_graph(store, graph: str, out: BinaryIO) -> int:
    """Append the triples of GRAPH in STORE to OUT as N-Quads; returns how many there are."""
    import pyoxigraph as ox

    node = ox.NamedNode(graph)
    sink = _Quads(out, str(node))
    store.dump(sink, format=ox.RdfFormat.N_TRIPLES, from_graph=node)
    if sink.parts and not sink.parts[-1].endswith(b"\n"):
        raise ValueError(f"unfinished N-Triples line in the dump of {graph}")
    sink.drain(last=True)
    return sink.count


def write_graphs(store, graphs: list[str], out: BinaryIO) -> dict[str, int]:
    """Append GRAPHS of STORE to OUT as N-Quads; returns the number of triples of each graph that has any.

    A dump reads the store as it was when the dump began, so a graph that nothing writes to meanwhile can be
    written while other graphs are being filled.
    """
    sizes: dict[str, int] = {}
    for graph in graphs:
        count = write_graph(store, graph, out)
        if count:
            sizes[graph] = count
    return sizes
