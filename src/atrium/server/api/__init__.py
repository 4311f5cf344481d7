"""HTTP layer: thin routers, dependencies, error mapping."""
