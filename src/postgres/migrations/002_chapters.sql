-- The reading program: chapters are data that consultants manage, as in SQLite's 002.
CREATE TABLE chapters (
  id         TEXT    COLLATE "C" PRIMARY KEY,
  title      TEXT    NOT NULL,
  position   INTEGER NOT NULL,
  created_at BIGINT  NOT NULL,
  updated_at BIGINT  NOT NULL
);

CREATE INDEX idx_chapters_position ON chapters (position, id);
