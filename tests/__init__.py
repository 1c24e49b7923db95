"""The Lattice test suite."""
