-- Attention items reach every instance's live stream too: their events are appended by the
-- instance that changed the item (ClusterStore.recordAttentionEvent), not by a trigger, because
-- an item's event carries its reader and consultants as users.
ALTER TABLE live_events DROP CONSTRAINT live_events_type_check;
ALTER TABLE live_events ADD CONSTRAINT live_events_type_check
  CHECK (type IN ('presence', 'milestone', 'activity', 'attention'));
