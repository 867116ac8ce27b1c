#!/usr/bin/env node
// Install hook for the published package: builds the addon on the user's
// machine when DPDK is there, and otherwise says exactly what to install
// without failing the install (loading the engine then repeats the advice).
// Inside the binio monorepo the workspace build step builds it instead.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNative } from './build-native.mjs';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
if (!existsSync(join(pkg, '..', '..', 'pnpm-workspace.yaml'))) buildNative({ required: false });
