import { type Api } from '../api.js';

export interface PageContext {
  api: Api;
  /** Re-renders the frame (after the admin key unlocks the audit page). */
  refreshNav: () => void;
}

/** Renders into `main`; returns what stops the page (timers) when another is shown. */
export type Page = (ctx: PageContext, main: HTMLElement) => (() => void) | undefined;
