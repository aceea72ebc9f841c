"""The test PostgreSQL server really starts (as an unprivileged account when we are root,
as CI is) and keeps what is written to it: the store contract tests stand on this."""

import psycopg


def test_a_fresh_database_keeps_what_is_written(pg_url):
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE t (k text PRIMARY KEY, v int)")
        conn.execute("INSERT INTO t VALUES ('a', 1)")
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT k, v FROM t").fetchall() == [("a", 1)]
        user = conn.execute("SELECT current_user").fetchone()
        assert user == ("backchannel",)
