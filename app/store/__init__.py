"""The database layer: engine, tables, records, queries, integrity checks, writes, seeding, keys, migrations."""
