"""Empty the benchmark database named by DATABASE_URL: delete a SQLite file, or drop and
recreate PostgreSQL's public schema. Benchmark use only: it destroys the data."""

import os
from pathlib import Path

import sqlalchemy as sa

url = sa.engine.make_url(os.environ["DATABASE_URL"])
if url.get_backend_name() == "sqlite":
    Path(url.database).unlink(missing_ok=True)
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
else:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
