// The service version lives in the composition module (both apps report it).
export { SERVICE_VERSION } from '#composition';
