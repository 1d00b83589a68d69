// GET /dashboard: the dashboard's static files (built by `npm run build` into dist/dashboard by
// scripts/build-dashboard.mjs), read once at start and served from memory.
//  - the page: Cache-Control no-cache (revalidated by ETag), so a new build shows at once;
//  - assets/<name>-<hash>.*: the name changes with the content, so they are cached for a year, immutable;
//  - a strict Content-Security-Policy: scripts, styles and connections from this origin only, no inline
//    script or style, no framing.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { NotFoundError, type Clock } from '#core-domain';
import { sendError } from '../common/all-exceptions.filter.js';

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
export const IMMUTABLE = 'public, max-age=31536000, immutable';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
/** What a built asset's name looks like: esbuild's `[name]-[hash]` (the hash is 8 base32 characters). */
const ASSET_NAME = /^[A-Za-z0-9_.-]+-[A-Z0-9]{8}\.[a-z0-9.]+$/;

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

export interface DashboardFiles {
  page: StaticFile;
  assets: Map<string, StaticFile>;
}

function file(path: string, type: string): StaticFile {
  const body = readFileSync(path);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** The built dashboard in `dir`, or undefined when it has not been built there. */
export function loadDashboard(dir: string | undefined): DashboardFiles | undefined {
  if (!dir || !existsSync(join(dir, 'index.html'))) return undefined;
  const assets = new Map<string, StaticFile>();
  const assetDir = join(dir, 'assets');
  if (existsSync(assetDir)) {
    for (const name of readdirSync(assetDir)) {
      const type = TYPES[extname(name)];
      if (type && ASSET_NAME.test(name)) assets.set(name, file(join(assetDir, name), type));
    }
  }
  return { page: file(join(dir, 'index.html'), 'text/html; charset=utf-8'), assets };
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('Content-Security-Policy', DASHBOARD_CSP)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer')
    .header('X-Frame-Options', 'DENY')
    .header('Cross-Origin-Opener-Policy', 'same-origin')
    .header('Cross-Origin-Resource-Policy', 'same-origin');
}

function send(request: FastifyRequest, reply: FastifyReply, f: StaticFile, cacheControl: string): void {
  void securityHeaders(reply).header('Cache-Control', cacheControl).header('ETag', f.etag);
  const inm = request.headers['if-none-match'];
  if (typeof inm === 'string' && inm.split(',').some((t) => t.trim() === f.etag)) {
    void reply.status(304).send();
    return;
  }
  void reply.type(f.type).send(f.body);
}

/** Registers GET /dashboard (and /dashboard/) and GET /dashboard/assets/:name on the Fastify instance. */
export function registerDashboard(
  fastify: FastifyInstance,
  files: DashboardFiles | undefined,
  clock: Clock,
): void {
  const page = (request: FastifyRequest, reply: FastifyReply) => {
    if (!files) {
      sendError(
        new NotFoundError('The dashboard is not built here: run `npm run build`'),
        request,
        reply,
        clock,
      );
      return;
    }
    send(request, reply, files.page, 'no-cache');
  };
  fastify.get('/dashboard', page);
  fastify.get('/dashboard/', page);
  fastify.get<{ Params: { name: string } }>('/dashboard/assets/:name', (request, reply) => {
    const f = files?.assets.get(request.params.name);
    if (!f) {
      sendError(new NotFoundError('No such dashboard asset'), request, reply, clock);
      return;
    }
    send(request, reply, f, IMMUTABLE);
  });
}
