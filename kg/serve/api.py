"""The REST API over the named queries: their listing and an OpenAPI 3.1 description."""

from __future__ import annotations

import re
from urllib.parse import quote

from kg import __version__


def named_query_list() -> list[dict]:
    """The named queries with their headers, as plain dicts for the REST API."""
    from kg.query import list_queries

    out = []
    for info in list_queries():
        out.append(
            {
                "name": info.name,
                "title": info.title,
                "question": info.question,
                "returns": info.returns,
                "notes": info.notes,
                "params": [
                    {"name": p.name, "type": p.type, "required": p.required, "default": p.default, "doc": p.doc}
                    for p in info.params
                ],
                "href": f"/api/queries/{quote(info.name)}",
                "sparql": info.text,
            }
        )
    return out


def openapi_document(server_url: str) -> dict:
    """An OpenAPI 3.1 description of the endpoint and of one REST operation per named query."""
    results = {
        "description": "SPARQL results",
        "content": {
            m: {}
            for m in (
                "application/sparql-results+json",
                "application/sparql-results+xml",
                "text/csv",
                "text/tab-separated-values",
            )
        },
    }
    errors = {
        "400": {"description": "malformed query or parameter; the body names the cause and position"},
        "403": {"description": "refused: SERVICE/LOAD to a host not allowed, or update not permitted"},
        "406": {"description": "no acceptable result format"},
        "413": {"description": "request larger than the server's limit"},
        "503": {"description": "the per-query time limit was hit, or the server is busy"},
    }
    fmt = {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "result format, overriding Accept",
        "schema": {"type": "string", "enum": ["json", "xml", "csv", "tsv"]},
    }
    paths: dict = {
        "/sparql": {
            "get": {
                "summary": "SPARQL 1.1 query (GET); without `query`, the service description",
                "operationId": "sparqlGet",
                "parameters": [
                    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"}},
                    {
                        "name": "default-graph-uri",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                    {
                        "name": "named-graph-uri",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                    fmt,
                ],
                "responses": {"200": results, **errors},
            },
            "post": {
                "summary": "SPARQL 1.1 query or update (POST)",
                "operationId": "sparqlPost",
                "requestBody": {
                    "content": {
                        "application/sparql-query": {"schema": {"type": "string"}},
                        "application/sparql-update": {"schema": {"type": "string"}},
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {"query": {"type": "string"}, "update": {"type": "string"}},
                            }
                        },
                    }
                },
                "responses": {"200": results, "401": {"description": "update without a bearer token"}, **errors},
            },
        },
        "/api/queries": {
            "get": {
                "summary": "list the named queries with their headers and parameters",
                "operationId": "listQueries",
                "responses": {
                    "200": {
                        "description": "the named queries",
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/NamedQuery"}}
                            }
                        },
                    }
                },
            },
        },
    }
    type_schema = {
        "iri": {"type": "string", "format": "iri"},
        "date": {"type": "string", "format": "date"},
        "integer": {"type": "integer"},
        "boolean": {"type": "boolean"},
        "string": {"type": "string"},
    }
    for q in named_query_list():
        params = []
        for p in q["params"]:
            schema = dict(type_schema.get(p["type"], {"type": "string"}))
            if p["default"] not in (None, ""):
                schema["default"] = p["default"]
            params.append(
                {
                    "name": p["name"],
                    "in": "query",
                    "required": bool(p["required"]),
                    "description": p["doc"] or f"{p['type']} parameter",
                    "schema": schema,
                }
            )
        paths[f"/api/queries/{q['name']}"] = {
            "get": {
                "summary": q["title"] or q["name"],
                "description": q["question"],
                "operationId": "query_" + re.sub(r"[^A-Za-z0-9_]", "_", q["name"]),
                "parameters": [*params, fmt],
                "responses": {"200": results, **errors},
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lattice SPARQL endpoint and named-query API",
            "version": __version__,
            "description": "Who is accountable to whom in global governance: a SPARQL 1.1 endpoint over "
            "the Lattice graph and its library of named queries.",
            "license": {"name": "MIT (code); CC-BY-4.0 (ontology and curated graph)"},
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": {
                "NamedQuery": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "title": {"type": "string"},
                        "question": {"type": "string"},
                        "returns": {"type": "string"},
                        "params": {"type": "array", "items": {"type": "object"}},
                        "href": {"type": "string"},
                        "sparql": {"type": "string"},
                    },
                }
            }
        },
    }
