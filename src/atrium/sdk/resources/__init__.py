"""One resource class per API concept; each is reached through an attribute of ``Client``."""
