"""Wire models of the REST API (Pydantic). Shared by the server and documented in OpenAPI."""
