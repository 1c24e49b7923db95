"""`kg serve`: a SPARQL 1.1 endpoint, a REST API for the named queries, resolvable IRIs and a web page."""

from kg.serve.cli import add_arguments, main, register, run
from kg.serve.guard import limits_problem, remote_access_problem
from kg.serve.protocol import negotiate

__all__ = ["add_arguments", "limits_problem", "main", "negotiate", "register", "remote_access_problem", "run"]
