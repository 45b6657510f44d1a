import type { Clock } from '../../src/domain/index.js';

/** A clock that moves only when a test says so. */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: number | string = '2026-11-24T12:00:00.000Z') {
    this.current = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(epochMs: number): void {
    this.current = epochMs;
  }
}
