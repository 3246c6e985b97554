DO
$body$
BEGIN
   IF NOT EXISTS (SELECT FROM pg_catalog.pg_user WHERE usename = 'cloud_controller') THEN
      CREATE ROLE "cloud_controller" WITH LOGIN;
   END IF;
END
$body$;
ALTER ROLE "cloud_controller" WITH LOGIN PASSWORD 'mj7iesw7jjf6i7hjlwoxutmhrgzyzgt9';
ALTER ROLE "cloud_controller" WITH NOSUPERUSER CREATEDB;
DO
$body$
BEGIN
   IF NOT EXISTS (SELECT FROM pg_catalog.pg_user WHERE usename = 'uaa') THEN
      CREATE ROLE "uaa" WITH LOGIN;
   END IF;
END
$body$;
ALTER ROLE "uaa" WITH LOGIN PASSWORD 'i8mnMaChz2o9okvQWBnmgjf6kxFf7W';
CREATE ROLE reporting WITH LOGIN PASSWORD 'tl;~,RmlI5M5!7tT#SbOzK1Q' VALID UNTIL 'infinity';
DO $$
BEGIN
  EXECUTE format('ALTER ROLE %I WITH PASSWORD %L', 'locket', $pw$8nVdprfDKNT04JrhRY9cnZVT3DSY$pw$);
END
$$;
