"""PostgreSQL adapters (asyncpg): migrations, repositories, the outbox."""
