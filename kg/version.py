"""The one place the Lattice version is written (package, CLI, SARIF reports); the ontology modules' owl:versionInfo is tested equal to it."""

__version__ = "0.3.0"
