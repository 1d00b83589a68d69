// One storage of the export bench in a fresh process (started by bench/lib/export.ts with
// --expose-gc): `node --expose-gc dist/bench/export-child.js <memory|dynamodb> <records> <config.yaml>`.
// Progress goes to stderr; the result is the last line of stdout, as JSON.
import { loadServiceConfig } from '#composition';
import { measureExportIn } from './lib/export.js';

const [kind, records, configFile] = process.argv.slice(2);
if ((kind !== 'memory' && kind !== 'dynamodb') || !Number.isInteger(Number(records)) || !configFile) {
  process.stderr.write('usage: export-child.js <memory|dynamodb> <records> <config.yaml>\n');
  process.exit(2);
}
const result = await measureExportIn(kind, loadServiceConfig(configFile), {
  records: Number(records),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
// Handles the HTTP app or the SDK may leave open must not keep the child alive.
process.exit(0);
