"""The entailment `kg validate --inference` applies before validating: RDFS, or RDFS and a few OWL RL rules."""

from __future__ import annotations

from kg.namespaces import OWL, RDFS


def entail(store, inference: str = "rdfs") -> None:
    """Add to STORE (in place) the RDFS closure, and for "owlrl" also a few OWL RL rules, with SPARQL INSERT."""
    if inference == "none":
        return
    rules = [
        # rdfs5/rdfs7: subproperty closure
        "INSERT { ?s ?q ?o } WHERE { ?p <%ssubPropertyOf>+ ?q . ?s ?p ?o . FILTER(isIRI(?q)) }" % RDFS,
        # rdfs2/rdfs3: domain and range
        "INSERT { ?s a ?c } WHERE { ?p <%sdomain> ?c . ?s ?p ?o }" % RDFS,
        "INSERT { ?o a ?c } WHERE { ?p <%srange> ?c . ?s ?p ?o . FILTER(!isLiteral(?o)) }" % RDFS,
        # rdfs9/rdfs11: subclass closure
        "INSERT { ?x a ?c } WHERE { ?x a ?d . ?d <%ssubClassOf>+ ?c . FILTER(isIRI(?c) || isBlank(?c)) }" % RDFS,
    ]
    owl = OWL
    owl_rules = [
        "INSERT { ?o ?q ?s } WHERE { ?p <%sinverseOf> ?q . ?s ?p ?o . FILTER(!isLiteral(?o)) }" % owl,
        "INSERT { ?o ?p ?s } WHERE { ?q <%sinverseOf> ?p . ?s ?q ?o . FILTER(!isLiteral(?o)) }" % owl,
        "INSERT { ?o ?p ?s } WHERE { ?p a <%sSymmetricProperty> . ?s ?p ?o . FILTER(!isLiteral(?o)) }" % owl,
        "INSERT { ?s ?p ?z } WHERE { ?p a <%sTransitiveProperty> . ?s ?p ?o . ?o ?p ?z }" % owl,
        "INSERT { ?s ?q ?o } WHERE { { ?p <%sequivalentProperty> ?q } UNION { ?q <%sequivalentProperty> ?p } ?s ?p ?o }"
        % (owl, owl),
        "INSERT { ?x a ?d } WHERE { { ?c <%sequivalentClass> ?d } UNION { ?d <%sequivalentClass> ?c } ?x a ?c . FILTER(isIRI(?d)) }"
        % (owl, owl),
        # class defined by an owl:hasValue restriction (both directions of the equivalence)
        "INSERT { ?x a ?c } WHERE { ?c <%sequivalentClass> ?r . ?r <%sonProperty> ?p ; <%shasValue> ?v . ?x ?p ?v }"
        % (owl, owl, owl),
        "INSERT { ?x ?p ?v } WHERE { ?c <%sequivalentClass> ?r . ?r <%sonProperty> ?p ; <%shasValue> ?v . ?x a ?c }"
        % (owl, owl, owl),
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


