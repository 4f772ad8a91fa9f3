"""PostgreSQL adapter: the database Osmi keeps its state in.

With DATABASE_URL set Osmi uses that server; without it, :mod:`.embedded`
runs a private PostgreSQL in the data directory.
"""
