#!/usr/bin/env node
// The `switchboard` command. The project runs TypeScript without a build step: register tsx's
// loader, then hand over to the CLI.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../cli/main.ts', import.meta.url).href);
