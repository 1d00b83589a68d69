// Entry of the floor server as its own process (like the product): PORT and JWT_SECRET from the
// environment, listens on 127.0.0.1 only, stops on SIGTERM/SIGINT.
import { createFloorServer } from './floor.js';

const port = Number(process.env.PORT ?? '0');
const secret = process.env.JWT_SECRET;
if (!secret) {
  process.stderr.write('floor: JWT_SECRET is required\n');
  process.exit(1);
}
const server = createFloorServer(secret);
server.keepAliveTimeout = 72_000;
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`floor listening on ${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
