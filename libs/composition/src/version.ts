/** The service version reported by `/` and `/health` (kept equal to package.json by a test). */
export const SERVICE_VERSION = '0.1.0';
