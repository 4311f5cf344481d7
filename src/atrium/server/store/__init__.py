"""Metadata store: ORM tables, query functions, migrations. The only place with SQL."""
