import { mkdirSync, writeFileSync } from 'node:fs';
import { loadServiceConfig } from '#composition';
import { generateOpenApiDocument } from './openapi.js';

// `npm run openapi`: writes openapi/openapi.json from the code.
const text = await generateOpenApiDocument(loadServiceConfig(process.env.CONFIG_FILE || './config.yaml'));
mkdirSync('openapi', { recursive: true });
writeFileSync('openapi/openapi.json', text);
console.log('wrote openapi/openapi.json');
