-- The reading program: chapters are data that consultants manage, not text readers type.
-- Milestones may still name chapters outside the catalog (API.md allows any valid chapterId).
CREATE TABLE chapters (
  id         TEXT    PRIMARY KEY,
  title      TEXT    NOT NULL,
  position   INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX idx_chapters_position ON chapters (position, id);
