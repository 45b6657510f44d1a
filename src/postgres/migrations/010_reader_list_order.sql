-- The consultants' reader list sorted by name (GET /api/readers?sort=name, names in binary order
-- as on SQLite) and by last activity (most recent first, never-active readers last): readers
-- walked in index order instead of every reader sorted on each page.
CREATE INDEX idx_users_role_name ON users (role, name COLLATE "C", id);
CREATE INDEX idx_users_role_last_active_desc ON users (role, last_active_at DESC NULLS LAST, id DESC);
