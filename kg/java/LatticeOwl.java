// Lattice's bridge to the OWL API 5: OWL 2 DL profile check and reasoning (HermiT, Openllet, JFact, ELK).
//
// Usage: java LatticeOwl [--map IRI FILE]... [--profile] [--reasoner NAME]... [--each] FILE...
// Loads every FILE (one ontology each, imports resolved only through the --map pairs; nothing is fetched
// from the network), merges them into one ontology when there are several (with --each: checks each FILE
// on its own, in a fresh manager, after a line DOCUMENT <file>), and prints tab-separated lines:
//   ONTOLOGY <iri> <versionIri>         the ID of each loaded document
//   IMPORT-MISSING <iri>                an import that could not be resolved
//   VIOLATIONS <n>                      OWL 2 DL profile violations of the (merged) import closure
//   VIOLATION <kind> <axiom> <text>     one per violation (axiom "-" when the violation has none)
//   REASONER <name> <consistent> <ms>   consistency, and the time to classify
//   UNSATISFIABLE <name> <iri>          one per unsatisfiable named class
import java.io.File;
import java.util.*;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;
import org.semanticweb.owlapi.reasoner.*;
import org.semanticweb.owlapi.util.SimpleIRIMapper;

public class LatticeOwl {
    static String clean(Object o) {
        return String.valueOf(o).replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    static OWLReasonerFactory factory(String name) throws Exception {
        switch (name) {
            case "hermit": return new org.semanticweb.HermiT.ReasonerFactory();
            case "openllet": return openllet.owlapi.OpenlletReasonerFactory.getInstance();
            case "jfact": return new uk.ac.manchester.cs.jfact.JFactFactory();
            case "elk": return new org.semanticweb.elk.owlapi.ElkReasonerFactory();
            default: throw new IllegalArgumentException("unknown reasoner " + name);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<IRI, IRI> maps = new LinkedHashMap<>();
        List<String> files = new ArrayList<>();
        List<String> reasoners = new ArrayList<>();
        boolean profile = false, each = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--map": maps.put(IRI.create(args[i + 1]), IRI.create(new File(args[i + 2]))); i += 2; break;
                case "--profile": profile = true; break;
                case "--each": each = true; break;
                case "--reasoner": reasoners.add(args[++i]); break;
                default: files.add(args[i]);
            }
        }
        if (each) {
            for (String f : files) {
                System.out.println("DOCUMENT\t" + f);
                check(maps, Collections.singletonList(f), reasoners, profile);
            }
        } else {
            check(maps, files, reasoners, profile);
        }
        System.out.flush();
        System.exit(0);
    }

    static String axiomOf(OWLProfileViolation v) {
        try {
            return v.getAxiom() == null ? "-" : clean(v.getAxiom());
        } catch (IllegalStateException e) {
            return "-";
        }
    }

    static void check(Map<IRI, IRI> maps, List<String> files, List<String> reasoners, boolean profile) throws Exception {
        OWLOntologyManager m = OWLManager.createOWLOntologyManager();
        m.getIRIMappers().clear();
        for (Map.Entry<IRI, IRI> e : maps.entrySet()) m.getIRIMappers().add(new SimpleIRIMapper(e.getKey(), e.getValue()));
        // Anything not mapped resolves to a file that does not exist: never to the network.
        final IRI nowhere = IRI.create(new File("/nonexistent/lattice-unmapped-import"));
        m.getIRIMappers().add(iri -> maps.containsKey(iri) ? maps.get(iri) : nowhere);
        m.setOntologyLoaderConfiguration(m.getOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT));
        Set<String> missing = new TreeSet<>();
        m.addMissingImportListener(ev -> missing.add(ev.getImportedOntologyURI().toString()));

        List<OWLOntology> loaded = new ArrayList<>();
        for (String f : files) {
            OWLOntology o = m.loadOntologyFromOntologyDocument(new File(f));
            loaded.add(o);
            OWLOntologyID id = o.getOntologyID();
            System.out.println("ONTOLOGY\t" + id.getOntologyIRI().map(IRI::toString).orElse("-") + "\t"
                    + id.getVersionIRI().map(IRI::toString).orElse("-"));
        }
        for (String iri : missing) System.out.println("IMPORT-MISSING\t" + iri);

        OWLOntology target;
        if (loaded.size() == 1) {
            target = loaded.get(0);
        } else {
            target = m.createOntology(IRI.create("urn:lattice:merged"));
            for (OWLOntology o : loaded)
                for (OWLOntology c : o.getImportsClosure()) m.addAxioms(target, c.axioms());
        }
        if (profile) {
            OWLProfileReport r = new OWL2DLProfile().checkOntology(target);
            List<OWLProfileViolation> vs = r.getViolations();
            System.out.println("VIOLATIONS\t" + vs.size());
            for (OWLProfileViolation v : vs)
                System.out.println("VIOLATION\t" + v.getClass().getSimpleName() + "\t"
                        + axiomOf(v) + "\t" + clean(v));
        }
        for (String name : reasoners) {
            long t0 = System.nanoTime();
            OWLReasoner rs = factory(name).createReasoner(target);
            boolean consistent = rs.isConsistent();
            if (consistent) rs.precomputeInferences(InferenceType.CLASS_HIERARCHY);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("REASONER\t" + name + "\t" + consistent + "\t" + ms);
            if (consistent)
                for (OWLClass c : rs.getUnsatisfiableClasses().getEntitiesMinusBottom())
                    System.out.println("UNSATISFIABLE\t" + name + "\t" + c.getIRI());
            rs.dispose();
        }
    }
}
