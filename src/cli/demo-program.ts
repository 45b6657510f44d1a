import { seededRandom, type ActivityMetadata, type MilestoneStatus, type Role } from '../domain/index.js';

/** The demo's reading program: twelve chapters, read in order. */
export const DEMO_CHAPTERS = [
  ['ch01', 'Getting started'],
  ['ch02', 'First steps'],
  ['ch03', 'Building habits'],
  ['ch04', 'Close reading'],
  ['ch05', 'Taking notes'],
  ['ch06', 'Asking questions'],
  ['ch07', 'Themes and motifs'],
  ['ch08', 'Voice and style'],
  ['ch09', 'Comparing texts'],
  ['ch10', 'Writing a response'],
  ['ch11', 'Peer review'],
  ['ch12', 'Final reflection'],
] as const;

const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Luca', 'Maya', 'Noor', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wen', 'Yara', 'Zoe'];
const LAST = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Costa', 'Novak', 'Haddad', 'Kowalski', 'Mensah', 'Rossi', 'Silva', 'Nguyen', 'Fischer', 'Ibrahim', 'Park', 'Murphy'];
const DAY = 86_400_000;
const WEEKS = 3;

export interface DemoPerson {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly joinedAt: number;
}
export interface DemoEvent {
  readonly person: number;
  readonly at: number;
  readonly actionType: string;
  readonly metadata: ActivityMetadata | null;
}
export interface DemoMilestone {
  readonly person: number;
  readonly at: number;
  readonly chapterId: string;
  readonly status: MilestoneStatus;
  readonly score: number | null;
}

/**
 * A deterministic demo program: people (consultants first), a few weeks of activity up to now, and
 * each reader's progress through the chapters (most completed, one in progress, some stuck); about
 * one reader in ten has been away for over a week.
 */
export function demoProgram(options: { readers: number; consultants: number; now: number; seed: number }) {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const start = options.now - WEEKS * 7 * DAY;
  const people: DemoPerson[] = [];
  const events: DemoEvent[] = [];
  const milestones: DemoMilestone[] = [];
  const lastSeen: { person: number; at: number }[] = [];

  for (let n = 1; n <= options.consultants; n += 1) {
    people.push({ email: `consultant${n}@demo.readpulse.test`, name: `${pick(FIRST)} ${pick(LAST)}`, role: 'consultant', joinedAt: start - DAY });
  }
  for (let n = 1; n <= options.readers; n += 1) {
    const person = people.length;
    const joinedAt = start + Math.floor(random() * 7 * DAY);
    people.push({ email: `reader${n}@demo.readpulse.test`, name: `${pick(FIRST)} ${pick(LAST)}`, role: 'reader', joinedAt });
    // Most readers were active in the last few days; about one in ten has not been back for over a week.
    const lastAt = random() < 0.9 ? options.now - 60_000 - Math.floor(random() * 4 * DAY) : options.now - 8 * DAY - Math.floor(random() * 5 * DAY);
    const pace = 0.3 + random() * 0.7; // chapters per day of study
    const reached = Math.min(DEMO_CHAPTERS.length, Math.max(1, Math.round(((lastAt - joinedAt) / DAY) * pace * 0.45)));
    const mine: { at: number; add: () => void }[] = [];
    let at = joinedAt + DAY / 4;
    for (let c = 0; c < reached; c += 1) {
      const chapterId = DEMO_CHAPTERS[c]![0];
      const last = c === reached - 1;
      const startedAt = at;
      mine.push({ at: startedAt, add: () => milestones.push({ person, at: startedAt, chapterId, status: 'started', score: null }) });
      for (let v = 0; v < 2 + Math.floor(random() * 5); v += 1) {
        at += Math.floor(random() * DAY * 0.3);
        const viewAt = at;
        const page = 1 + Math.floor(random() * 30);
        mine.push({ at: viewAt, add: () => events.push({ person, at: viewAt, actionType: 'PAGE_VIEW', metadata: { chapterId, page } }) });
      }
      if (last && random() < 0.12) {
        at += Math.floor(random() * DAY);
        const stuckAt = at;
        mine.push({ at: stuckAt, add: () => milestones.push({ person, at: stuckAt, chapterId, status: 'stuck', score: null }) });
        mine.push({ at: stuckAt, add: () => events.push({ person, at: stuckAt, actionType: 'PAUSE', metadata: { chapterId } }) });
      } else if (!last || random() < 0.3) {
        at += Math.floor(random() * DAY);
        const doneAt = at;
        const score = Math.min(100, Math.round(55 + random() * 45));
        mine.push({ at: doneAt, add: () => milestones.push({ person, at: doneAt, chapterId, status: 'completed', score }) });
        mine.push({ at: doneAt, add: () => events.push({ person, at: doneAt, actionType: 'SUBMIT', metadata: { chapterId, score } }) });
      }
    }
    // The reader's own pace, stretched or squeezed so that their history ends at their last visit.
    const end = Math.max(at, joinedAt + DAY / 4 + 1);
    const scale = (lastAt - joinedAt) / (end - joinedAt);
    const before = { events: events.length, milestones: milestones.length };
    for (const step of mine) step.add();
    const rescale = <T extends { at: number }>(item: T): T => ({ ...item, at: Math.round(joinedAt + (item.at - joinedAt) * scale) });
    events.splice(before.events, Infinity, ...events.slice(before.events).map(rescale));
    milestones.splice(before.milestones, Infinity, ...milestones.slice(before.milestones).map(rescale));
    events.push({ person, at: joinedAt, actionType: 'LOGIN', metadata: null });
    lastSeen.push({ person, at: lastAt });
  }
  const clamp = <T extends { at: number }>(item: T) => ({ ...item, at: Math.min(item.at, options.now - 60_000) });
  return { people, events: events.map(clamp), milestones: milestones.map(clamp), lastSeen };
}
