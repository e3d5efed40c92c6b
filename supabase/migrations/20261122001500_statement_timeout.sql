-- A statement of the workers' role ends after 4 seconds, inside the workers' own 5-second wait
-- (DB_TIMEOUT_MS): a request held by a lock is rolled back by the database and answered 503,
-- instead of committing after its client was told it failed. PostgREST applies the setting to
-- every request it runs as purchases_api (impersonated role settings).
alter role purchases_api set statement_timeout = '4s';
