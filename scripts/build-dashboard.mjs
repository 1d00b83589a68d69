// Builds the dashboard (apps/dashboard) into static files the HTTP app serves at /dashboard:
//   <out>/index.html          references the hashed assets (no inline script or style)
//   <out>/assets/<name>-<hash>.js|.css
// esbuild bundles everything (Chart.js included): nothing is loaded from anywhere else.
// Usage: node scripts/build-dashboard.mjs [--out dist/dashboard] [--dev]   (npm run build runs it)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { out: { type: 'string', default: 'dist/dashboard' }, dev: { type: 'boolean', default: false } },
});
const outDir = resolve(root, values.out);
const started = performance.now();

rmSync(outDir, { recursive: true, force: true });
mkdirSync(`${outDir}/assets`, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'apps/dashboard/src/main.ts' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox120', 'safari16'],
  minify: !values.dev,
  sourcemap: values.dev ? 'linked' : false,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  outdir: `${outDir}/assets`,
  tsconfig: 'apps/dashboard/tsconfig.json',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs);
const entry = outputs.find(([, o]) => o.entryPoint === 'apps/dashboard/src/main.ts');
if (!entry) throw new Error('esbuild produced no entry chunk');
const js = basename(entry[0]);
const css = entry[1].cssBundle ? basename(entry[1].cssBundle) : undefined;
const html = readFileSync(resolve(root, 'apps/dashboard/index.html'), 'utf8')
  .replace('<!--styles-->', css ? `<link rel="stylesheet" href="/dashboard/assets/${css}" />` : '')
  .replace('<!--script-->', `<script type="module" src="/dashboard/assets/${js}"></script>`);
if (html.includes('<!--')) throw new Error('apps/dashboard/index.html: an unreplaced placeholder');
writeFileSync(`${outDir}/index.html`, html);
const size = outputs.reduce((n, [, o]) => n + o.bytes, 0);
process.stdout.write(
  `dashboard: ${outDir} (${outputs.length} assets, ${Math.round(size / 1024)} KiB, ${Math.round(performance.now() - started)} ms)\n`,
);
