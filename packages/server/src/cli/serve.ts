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
}
