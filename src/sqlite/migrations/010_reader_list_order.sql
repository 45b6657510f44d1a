-- The consultants' reader list sorted by name (GET /api/readers?sort=name): readers walked in
-- name order, ids breaking ties, instead of every reader sorted on each page. (Sorted by last
-- activity it walks idx_users_role_last_active backwards: NULL sorts last there.)
CREATE INDEX idx_users_role_name ON users (role, name, id);
