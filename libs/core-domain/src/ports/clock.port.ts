/** All time comes from here, so tests can move it. */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol('Clock');
