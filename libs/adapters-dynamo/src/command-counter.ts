import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Logical DynamoDB commands sent through one client (SDK retries of a command count once). */
export interface CommandCounter {
  total(): number;
  /** Counts per command name, e.g. `{ TransactWriteItemsCommand: 1 }`. */
  byCommand(): Record<string, number>;
  reset(): void;
  /** Removes the middleware from the client. */
  detach(): void;
}

let sequence = 0;

/**
 * Counts every logical command sent through `client` (and any DynamoDBDocumentClient made from it,
 * which shares its middleware stack), with an SDK middleware at the `initialize` step, which runs
 * once per `send()`, before retries. For tests and benchmarks that assert the access budget.
 */
export function countCommands(client: DynamoDBClient): CommandCounter {
  const counts = new Map<string, number>();
  const name = `bckCommandCounter${++sequence}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'UnknownCommand';
      counts.set(command, (counts.get(command) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name, override: true },
  );
  return {
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    byCommand: () => Object.fromEntries(counts),
    reset: () => counts.clear(),
    detach: () => {
      client.middlewareStack.remove(name);
    },
  };
}
