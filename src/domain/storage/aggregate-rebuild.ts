import { minutesLadderSql } from '../analytics.js';

/**
 * Recomputes the chapter counts from the milestones, as migration 005 first filled them: for bulk
 * loads and copies, which insert milestones directly. Plain SQL that both engines run unchanged
 * (integer division, the same tables), so it is written once; each engine runs it in its own way.
 */
export const REBUILD_MILESTONE_AGGREGATES = `
  DELETE FROM chapter_status_counts; DELETE FROM chapter_score_counts; DELETE FROM chapter_minute_counts;
  INSERT INTO chapter_status_counts (chapter_id, status, n)
    SELECT m.chapter_id, m.status, count(*) FROM milestones m JOIN users u ON u.id = m.user_id AND u.role = 'reader'
    GROUP BY m.chapter_id, m.status;
  INSERT INTO chapter_score_counts (chapter_id, score, n)
    SELECT m.chapter_id, m.score, count(*) FROM milestones m JOIN users u ON u.id = m.user_id AND u.role = 'reader'
    WHERE m.status = 'completed' AND m.score IS NOT NULL GROUP BY m.chapter_id, m.score;
  INSERT INTO chapter_minute_counts (chapter_id, minutes, n)
    SELECT m.chapter_id, ${minutesLadderSql('((m.completed_at - m.started_at) / 60000)')}, count(*)
    FROM milestones m JOIN users u ON u.id = m.user_id AND u.role = 'reader'
    WHERE m.status = 'completed' AND m.started_at IS NOT NULL AND m.completed_at IS NOT NULL
    GROUP BY 1, 2;`;
