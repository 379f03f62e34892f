import { loadConfig } from '../config.ts';
import { startServer } from '../main.ts';

export async function runServe(): Promise<void> {
  const server = await startServer(loadConfig());
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Only when started with --expose-gc (the soak bench): a full collection before each memory sample.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) process.on('SIGUSR2', () => gc());
}
