-- A random identity for this database, so that a process keeping figures
-- of several databases in memory (tests open many) never mixes them up.
CREATE TABLE database_identity (id TEXT NOT NULL);
INSERT INTO database_identity (id) VALUES (lower(hex(randomblob(16))));
