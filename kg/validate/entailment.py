"""The entailment `kg validate --inference` applies before validating: RDFS, or RDFS and a few OWL RL rules."""

from __future__ import annotations

from kg.namespaces import OWL, RDFS


def entail(store, inference: str = "rdfs") -> None:
    """Add to STORE (in place) the RDFS closure, and for "owlrl" also a few OWL RL rules, with SPARQL INSERT."""
    if inference == "none":
        return
    rules = [
        # rdfs5/rdfs7: subproperty closure
        f"INSERT {{ ?s ?q ?o }} WHERE {{ ?p <{RDFS}subPropertyOf>+ ?q . ?s ?p ?o . FILTER(isIRI(?q)) }}",
        # rdfs2/rdfs3: domain and range
        f"INSERT {{ ?s a ?c }} WHERE {{ ?p <{RDFS}domain> ?c . ?s ?p ?o }}",
        f"INSERT {{ ?o a ?c }} WHERE {{ ?p <{RDFS}range> ?c . ?s ?p ?o . FILTER(!isLiteral(?o)) }}",
        # rdfs9/rdfs11: subclass closure
        f"INSERT {{ ?x a ?c }} WHERE {{ ?x a ?d . ?d <{RDFS}subClassOf>+ ?c . FILTER(isIRI(?c) || isBlank(?c)) }}",
    ]
    owl = OWL
    owl_rules = [
        f"INSERT {{ ?o ?q ?s }} WHERE {{ ?p <{owl}inverseOf> ?q . ?s ?p ?o . FILTER(!isLiteral(?o)) }}",
        f"INSERT {{ ?o ?p ?s }} WHERE {{ ?q <{owl}inverseOf> ?p . ?s ?q ?o . FILTER(!isLiteral(?o)) }}",
        f"INSERT {{ ?o ?p ?s }} WHERE {{ ?p a <{owl}SymmetricProperty> . ?s ?p ?o . FILTER(!isLiteral(?o)) }}",
        f"INSERT {{ ?s ?p ?z }} WHERE {{ ?p a <{owl}TransitiveProperty> . ?s ?p ?o . ?o ?p ?z }}",
        f"INSERT {{ ?s ?q ?o }} WHERE {{ {{ ?p <{owl}equivalentProperty> ?q }} UNION {{ ?q <{owl}equivalentProperty> ?p }} ?s ?p ?o }}",
        f"INSERT {{ ?x a ?d }} WHERE {{ {{ ?c <{owl}equivalentClass> ?d }} UNION {{ ?d <{owl}equivalentClass> ?c }} ?x a ?c . FILTER(isIRI(?d)) }}",
        # class defined by an owl:hasValue restriction (both directions of the equivalence)
        f"INSERT {{ ?x a ?c }} WHERE {{ ?c <{owl}equivalentClass> ?r . ?r <{owl}onProperty> ?p ; <{owl}hasValue> ?v . ?x ?p ?v }}",
        f"INSERT {{ ?x ?p ?v }} WHERE {{ ?c <{owl}equivalentClass> ?r . ?r <{owl}onProperty> ?p ; <{owl}hasValue> ?v . ?x a ?c }}",
    ]
    passes = 20 if inference == "owlrl" else 1  # owlrl: until nothing new (transitivity doubles per round)
    for _ in range(passes):
        before = len(store)
        if inference == "owlrl":
            for r in owl_rules:
                store.update(r)
        for r in rules:
            store.update(r)
        if len(store) == before:
            break
