// tsc keeps the source layout (dist/apps/http/src/main.js); README.md ("Environment", "Development")
// and the Dockerfile run dist/apps/<app>/main.js, so each app gets a one-line entry there.
import { existsSync, writeFileSync } from 'node:fs';

for (const app of ['http', 'worker']) {
  if (existsSync(`dist/apps/${app}/src/main.js`)) {
    writeFileSync(`dist/apps/${app}/main.js`, "import './src/main.js';\n");
  }
}
