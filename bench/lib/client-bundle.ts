// The browser bundle of the client SDK's core entry (@bedrock-cost-keeper/client): ESM, minified,
// bundled by esbuild for the browser platform, and its gzipped size. `npm run bench` prints it and
// writes it to the `## Client SDK bundle` section of docs/performance.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const BUNDLE_START = '<!-- bench:client-bundle:start (written by npm run bench) -->';
export const BUNDLE_END = '<!-- bench:client-bundle:end -->';
export const BUNDLE_SECTION = '## Client SDK bundle';
/** The budget for the gzipped core bundle (issue 16). */
export const BUNDLE_BUDGET_BYTES = 20 * 1024;

export interface BundleSize {
  entry: string;
  bytes: number;
  gzipBytes: number;
  esbuild: string;
}

/** Bundles `libs/client/src/index.ts` (under `root`) as a browser would load it. */
export async function measureClientBundle(root: string): Promise<BundleSize & { code: string }> {
  const entry = 'libs/client/src/index.ts';
  const r = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = r.outputFiles[0]!.text;
  const { version } = (await import('esbuild')) as { version: string };
  return {
    entry,
    bytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code, { level: 9 }).length,
    esbuild: version,
    code,
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export function bundleLine(b: BundleSize): string {
  return (
    `\`${b.entry}\` bundled by esbuild ${b.esbuild} (ESM, minified, platform browser): ` +
    `${kb(b.bytes)} minified, **${kb(b.gzipBytes)} gzipped** (${b.gzipBytes} bytes; budget ${kb(BUNDLE_BUDGET_BYTES)}: ` +
    `${b.gzipBytes < BUNDLE_BUDGET_BYTES ? 'met' : 'NOT met'}).`
  );
}

/** Replaces the bundle block of docs/performance.md (adds the section when missing). */
export function writeBundleResult(file: string, b: BundleSize, date: string): void {
  const block = `${BUNDLE_START}\n\nLast run: ${date}. ${bundleLine(b)}\n\n${BUNDLE_END}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n';
  const start = text.indexOf(BUNDLE_START);
  const end = text.indexOf(BUNDLE_END);
  const out =
    start >= 0 && end > start
      ? text.slice(0, start) + block + text.slice(end + BUNDLE_END.length)
      : `${text.replace(/\n*$/, '\n\n')}${BUNDLE_SECTION}\n\nThe core of the client SDK (\`libs/client\`, fetch only) as a browser app ships it; the Bedrock helper (\`@bedrock-cost-keeper/client/bedrock\`) is a separate entry point and not included.\n\n${block}\n`;
  writeFileSync(file, out);
}
