#!/usr/bin/env node
// The `causo` command. TypeScript sources run directly through tsx's loader: no build step.
import { register } from 'tsx/esm/api';

register();
await import('../packages/server/src/cli/main.ts');
