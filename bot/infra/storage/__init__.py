"""Storage on SQLModel: tables, engine, and the repository the services use."""
