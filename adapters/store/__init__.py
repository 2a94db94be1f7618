"""The store: the HR team's plan facts and their change log in a real database (SQLite by
default, PostgreSQL when `DATABASE_URL` says so). The core never imports it: the plan the
store holds reaches the engine as the same plan file every other door uses."""
