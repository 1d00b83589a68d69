import { type Clock } from '../ports/clock.port.js';

/** A clock tests move by hand. Never sleep to let time pass: advance this. */
export class FakeClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2026-03-10T12:00:00Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(instant: Date | string): void {
    this.current = new Date(instant).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
  advanceSecs(secs: number): void {
    this.current += secs * 1000;
  }
}
