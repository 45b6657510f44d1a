import { matchRoute, parsePositiveId } from '../router/match-route.js';

/**
 * The live stream a page asks for (API.md, the stream's narrowing parameters): a reader's
 * page takes only that reader's events, every activity included; every other page takes
 * presence and milestones without activity, since at thousands of readers online activity is
 * thousands of events a second that no list shows one by one. The online list's "last seen"
 * times are reconciled from /live instead.
 */
export function liveStreamQuery(pathname: string): string {
  const params = matchRoute('/readers/:id', pathname);
  const readerId = params === null ? null : parsePositiveId(params.id);
  return readerId === null ? '?activity=none' : `?reader=${readerId}`;
}
