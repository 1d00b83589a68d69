// `npm start` runs the whole service locally once the HTTP and worker apps exist.
// Until then it says so plainly instead of pretending to start.
console.error(
  'npm start: not yet. The HTTP app (apps/http) and the worker (apps/worker) are not built yet;\n' +
    'the domain core, its in-memory adapters and the DynamoDB adapter can be used today (see docs/embedding.md).',
);
process.exit(1);
