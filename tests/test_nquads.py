"""kg.nquads: named graphs written one at a time as N-Quads give back exactly the quads of the store."""

import io

import pytest

pyoxigraph = pytest.importorskip("pyoxigraph")
ox = pyoxigraph

from kg.nquads import write_graph, write_graphs  # noqa: E402

G1 = "https://w3id.org/lattice/graph/one"
G2 = "https://w3id.org/lattice/graph/two"


def _store() -> ox.Store:
    s = ox.Store()
    ex = "http://example.org/"
    tricky = [
        ox.Literal("two\nlines ending .\n"),
        ox.Literal('a " quote and a . full stop'),
        ox.Literal("ends with a space and dot ."),
        ox.Literal("Côte d'Ivoire", language="fr"),
        ox.Literal("1984", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
        ox.Literal("tab\tand \\ backslash"),
    ]
    for i, lit in enumerate(tricky):
        s.add(ox.Quad(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(f"{ex}p"), lit, ox.NamedNode(G1)))
    b = ox.BlankNode()
    s.add(ox.Quad(b, ox.NamedNode(f"{ex}p"), ox.NamedNode(f"{ex}o"), ox.NamedNode(G2)))
    s.add(ox.Quad(ox.NamedNode(f"{ex}s"), ox.NamedNode(f"{ex}q"), b, ox.NamedNode(G2)))
    return s


def _parsed(data: bytes) -> list:
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def test_every_quad_comes_back_with_its_graph():
    store = _store()
    out = io.BytesIO()
    sizes = write_graphs(store, [G1, G2, "https://w3id.org/lattice/graph/empty"], out)
    assert sizes == {G1: 6, G2: 2}  # a graph without triples is left out
    back = ox.Store()
    back.extend(_parsed(out.getvalue()))
    assert len(back) == len(store) == 8
    for quad in store:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            continue
        assert quad in back, quad
    # the blank node is one node in both of its quads
    blanks = {q.subject for q in back if isinstance(q.subject, ox.BlankNode)}
    blanks |= {q.object for q in back if isinstance(q.object, ox.BlankNode)}
    assert len(blanks) == 1


def test_lines_cut_across_chunks_are_joined():
    """The sink gets the serializer's output in chunks; a line cut in two is written whole."""
    store = ox.Store()
    for i in range(5000):  # well beyond one chunk of the serializer
        store.add(
            ox.Quad(
                ox.NamedNode(f"http://example.org/s{i}"),
                ox.NamedNode("http://example.org/p"),
                ox.Literal(f"value {i} ." * 3),
                ox.NamedNode(G1),
            )
        )
    out = io.BytesIO()
    assert write_graph(store, G1, out) == 5000
    quads = _parsed(out.getvalue())
    assert len(quads) == 5000
    assert {q.graph_name.value for q in quads} == {G1}


def test_a_graph_is_written_while_another_one_is_being_filled():
    """What the build relies on to write the input graphs while the rules fill lat-g:inferred: writes to one
    graph during the dump of another neither block nor show up in it."""
    import threading

    from kg import nquads

    store = _store()
    for i in range(5000):  # several chunks: the first is written while the dump is still reading the graph
        store.add(
            ox.Quad(
                ox.NamedNode(f"http://example.org/m{i}"),
                ox.NamedNode("http://example.org/p"),
                ox.Literal("y"),
                ox.NamedNode(G1),
            )
        )
    reached, filled = threading.Event(), threading.Event()

    class Paused(io.BytesIO):
        def write(self, data):  # the first chunk waits until the other graph has been filled
            reached.set()
            filled.wait(10)
            return super().write(data)

    out = Paused()
    dumping = threading.Thread(target=nquads.write_graph, args=(store, G1, out))
    dumping.start()
    assert reached.wait(10)
    for i in range(1000):
        store.add(
            ox.Quad(
                ox.NamedNode(f"http://example.org/n{i}"),
                ox.NamedNode("http://example.org/p"),
                ox.Literal("x"),
                ox.NamedNode(G2),
            )
        )
    filled.set()
    dumping.join(10)
    assert not dumping.is_alive()
    quads = _parsed(out.getvalue())
    assert len(quads) == 5006
    assert {q.graph_name.value for q in quads} == {G1}
    assert len(store) == 6008
