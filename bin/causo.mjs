#!/usr/bin/env node
// The `causo` command. TypeScript sources run directly through tsx's loader: no build step.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The tsconfig is named so JSX pages compile the same whatever the working directory.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../packages/server/src/cli/main.ts');
