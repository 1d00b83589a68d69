import { type Clock } from '#core-domain';

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
