"""The inventory's SQLite schema: one migration per version (SQLite's `user_version`), and the
statements each run writes with."""

from __future__ import annotations

# Every alias the people rows name, written again at the end of each run (`inventory_write.write`).
ALIASES = (
    "INSERT OR IGNORE INTO aliases SELECT person, person FROM people "
    "UNION SELECT email, person FROM people WHERE email IS NOT NULL "
    "UNION SELECT lower(reference), person FROM people"
)

# One entry per schema version; never edit a released entry, append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: runs, identities, the people of each identity
        "CREATE TABLE runs (id INTEGER PRIMARY KEY, as_of TEXT NOT NULL, "
        "repositories INTEGER NOT NULL, identities INTEGER NOT NULL, orphans INTEGER NOT NULL)",
        "CREATE TABLE identities (repository TEXT NOT NULL, identity TEXT NOT NULL, "
        "kind TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, line INTEGER NOT NULL, "
        "state TEXT NOT NULL, rules TEXT NOT NULL, route_to TEXT NOT NULL, "
        "first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, last_run INTEGER NOT NULL, "
        "orphaned_since TEXT, resolved_at TEXT, gone_since TEXT, "
        "PRIMARY KEY (repository, identity)) WITHOUT ROWID",
        "CREATE TABLE people (repository TEXT NOT NULL, identity TEXT NOT NULL, "
        "reference TEXT NOT NULL, role TEXT NOT NULL, email TEXT, state TEXT NOT NULL)",
        "CREATE INDEX people_by_identity ON people (repository, identity)",
        "CREATE INDEX people_by_email ON people (email)",
        "CREATE INDEX people_by_reference ON people (reference)",
    ),
    (  # 2: which run opened and closed an orphaned spell ("new since the previous run")
        "ALTER TABLE identities ADD COLUMN orphaned_run INTEGER",
        "ALTER TABLE identities ADD COLUMN resolved_run INTEGER",
    ),
    (  # 3: what each identity can reach ("admin", services), space-separated
        "ALTER TABLE identities ADD COLUMN reach TEXT NOT NULL DEFAULT ''",
    ),
    (  # 4: one key per person whatever alias a report used (#23), and the lineage links
        "ALTER TABLE people ADD COLUMN person TEXT",
        "UPDATE people SET person = COALESCE(email, lower(reference))",
        "CREATE INDEX people_by_person ON people (person)",
        "CREATE TABLE links (repository TEXT NOT NULL, source TEXT NOT NULL, "
        "relation TEXT NOT NULL, to_repository TEXT NOT NULL, target TEXT NOT NULL, "
        "evidence TEXT NOT NULL)",
        "CREATE INDEX links_by_source ON links (repository, source)",
        "CREATE INDEX links_by_target ON links (to_repository, target)",
    ),
    (  # 5: decisions and handovers with their history, and what each run changed (#24)
        "CREATE TABLE decisions (repository TEXT NOT NULL, identity TEXT NOT NULL, "
        "decision TEXT NOT NULL, decided_by TEXT NOT NULL, decided_on TEXT NOT NULL, "
        "assign_to TEXT NOT NULL, note TEXT NOT NULL, source TEXT NOT NULL, "
        "people TEXT NOT NULL, run INTEGER NOT NULL, recorded_on TEXT NOT NULL, "
        "PRIMARY KEY (repository, identity, decision, decided_by, decided_on, assign_to))",
        "CREATE TABLE adoptions (repository TEXT NOT NULL, identity TEXT NOT NULL, "
        "owners TEXT NOT NULL, provisioner TEXT NOT NULL, left_on TEXT, run INTEGER NOT NULL, "
        "adopted_on TEXT NOT NULL, PRIMARY KEY (repository, identity))",
        "CREATE TABLE events (run INTEGER NOT NULL, as_of TEXT NOT NULL, "
        "repository TEXT NOT NULL, identity TEXT NOT NULL, event TEXT NOT NULL, "
        "detail TEXT NOT NULL)",
        "CREATE INDEX events_by_identity ON events (repository, identity)",
        "CREATE INDEX events_by_day ON events (as_of)",
    ),
    (  # 6: what the inventory's filters index besides columns (#25): reach labels and actions,
        # resources, environment, last change, who decides; kind and role for their filters
        "CREATE TABLE facets (repository TEXT NOT NULL, identity TEXT NOT NULL, "
        "facet TEXT NOT NULL, value TEXT NOT NULL, evidence TEXT NOT NULL DEFAULT '')",
        "CREATE INDEX facets_by_value ON facets (facet, value)",
        "CREATE INDEX facets_by_identity ON facets (repository, identity)",
        "CREATE INDEX identities_by_kind ON identities (kind)",
        "CREATE INDEX people_by_role ON people (role, person)",
        "CREATE INDEX people_by_lower_reference ON people (lower(reference))",
        "INSERT INTO facets (repository, identity, facet, value) "
        "WITH RECURSIVE split(repository, identity, rest, word) AS ("
        "SELECT repository, identity, reach || ' ', '' FROM identities WHERE reach <> '' "
        "UNION ALL SELECT repository, identity, substr(rest, instr(rest, ' ') + 1), "
        "substr(rest, 1, instr(rest, ' ') - 1) FROM split WHERE rest <> '') "
        "SELECT repository, identity, 'reach', word FROM split WHERE word <> ''",
        "INSERT INTO facets (repository, identity, facet, value) "
        "SELECT i.repository, i.identity, 'decider', lower(j.value) "
        "FROM identities i, json_each(i.route_to) j",
    ),
    (  # 7: what the --observed exports said at the last run that read any (#26): each
        # declared identity they matched (or not), and what they list that nobody declares
        # (repository '' unless it lives in one: a stored GitHub secret)
        "CREATE TABLE observed (repository TEXT NOT NULL, identity TEXT NOT NULL, "
        "state TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, provider TEXT, "
        "scope TEXT, rules TEXT NOT NULL, route_to TEXT NOT NULL, how TEXT NOT NULL, "
        "live INTEGER NOT NULL, created TEXT, last_used TEXT, unused_days INTEGER, "
        "key_age_days INTEGER, export TEXT, exported TEXT, creator TEXT, owner TEXT, "
        "run INTEGER NOT NULL)",
        "CREATE INDEX observed_by_identity ON observed (repository, identity)",
    ),
    (  # 8: what `nhi inventory` shows of an identity's people and facets, written with it as
        # one JSON card [people, facets], so that a query reads one row per answer instead of
        # joining two tables per answer (#25: 100,000 answers, 1.8 s of joins)
        "ALTER TABLE identities ADD COLUMN card TEXT NOT NULL DEFAULT '[[],[]]'",
        "UPDATE identities SET card = json_array("
        "(SELECT json_group_array(json_array(reference, role, email, state)) FROM "
        "(SELECT * FROM people p WHERE p.repository = identities.repository "
        "AND p.identity = identities.identity ORDER BY p.rowid)), "
        "(SELECT json_group_array(json_array(facet, value, evidence)) FROM "
        "(SELECT * FROM facets f WHERE f.repository = identities.repository "
        "AND f.identity = identities.identity "
        "AND f.facet IN ('environment', 'resource', 'changed', 'duplicate_of') "
        "ORDER BY f.rowid)))",
    ),
    (  # 9: each alias of a person (the person key, an email, a lowercased reference) once, in
        # place of three indexes over every people row: writing a people row updated six
        # indexes, half the time of a run (#21: 500,000 identities, a million people rows)
        "CREATE TABLE aliases (alias TEXT NOT NULL, person TEXT NOT NULL, "
        "PRIMARY KEY (alias, person)) WITHOUT ROWID",
        ALIASES,
        "DROP INDEX people_by_email",
        "DROP INDEX people_by_reference",
        "DROP INDEX people_by_lower_reference",
        # and a digest of each identity's people and facets rows: a run rewrites only those
        # that changed ('' until the next run: every identity is written once, as before)
        "ALTER TABLE identities ADD COLUMN digest TEXT DEFAULT ''",
    ),
    (  # 10: an answer's JSON members that a run writes (all but the dates and the links:
        # `inventory_output.shown`), in place of the card, so that `nhi inventory --format
        # json` reads one text per answer, completed in SQL (#25: 100,000 answers built as
        # Python objects and encoded took 2.7 s). NULL until a run writes the row: a query
        # that meets one answers from the card, as before.
        "ALTER TABLE identities ADD COLUMN shown TEXT",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

# The secondary indexes of the tables a run fills, as the migrations above leave them. A run
# into an empty inventory writes its rows first and builds these after: one sorted build each
# instead of millions of inserts at random places (#21: the first run's write 30% faster).
INDEXES = (
    "people_by_identity ON people (repository, identity)",
    "people_by_person ON people (person)",
    "people_by_role ON people (role, person)",
    "facets_by_value ON facets (facet, value)",
    "facets_by_identity ON facets (repository, identity)",
    "identities_by_kind ON identities (kind)",
)

UPSERT = """
INSERT INTO identities (repository, identity, kind, name, path, line, state, rules, route_to,
    first_seen, last_seen, last_run, orphaned_since, orphaned_run, reach, card, digest, shown)
VALUES (:repository, :identity, :kind, :name, :path, :line, :state, :rules, :route_to,
    :as_of, :as_of, :run, CASE WHEN :orphaned THEN :as_of END, CASE WHEN :orphaned THEN :run END,
    :reach, :card, :digest, :shown)
ON CONFLICT (repository, identity) DO UPDATE SET
    kind = excluded.kind, name = excluded.name, path = excluded.path, line = excluded.line,
    state = excluded.state, rules = excluded.rules, route_to = excluded.route_to,
    reach = excluded.reach, card = excluded.card, digest = excluded.digest,
    shown = excluded.shown,
    last_seen = excluded.last_seen, last_run = excluded.last_run, gone_since = NULL,
    orphaned_since = CASE
        WHEN NOT :orphaned THEN identities.orphaned_since
        WHEN identities.orphaned_since IS NOT NULL AND identities.resolved_at IS NULL
            THEN identities.orphaned_since
        ELSE :as_of END,
    orphaned_run = CASE
        WHEN NOT :orphaned THEN identities.orphaned_run
        WHEN identities.orphaned_since IS NOT NULL AND identities.resolved_at IS NULL
            THEN identities.orphaned_run
        ELSE :run END,
    resolved_at = CASE
        WHEN :orphaned THEN NULL
        WHEN identities.orphaned_since IS NOT NULL AND identities.resolved_at IS NULL
            THEN :as_of
        ELSE identities.resolved_at END,
    resolved_run = CASE
        WHEN :orphaned THEN NULL
        WHEN identities.orphaned_since IS NOT NULL AND identities.resolved_at IS NULL
            THEN :run
        ELSE identities.resolved_run END
"""
GONE = """
UPDATE identities SET
    gone_since = COALESCE(gone_since, :as_of),
    resolved_at = CASE WHEN orphaned_since IS NOT NULL AND resolved_at IS NULL
                       THEN :as_of ELSE resolved_at END,
    resolved_run = CASE WHEN orphaned_since IS NOT NULL AND resolved_at IS NULL
                        THEN :run ELSE resolved_run END
WHERE last_run <> :run AND repository IN (SELECT name FROM temp.reported)
"""
