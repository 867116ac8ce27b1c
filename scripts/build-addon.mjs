#!/usr/bin/env node
// Builds the node-addon-api addon of the package in the current directory
// with node-gyp. Where Node's headers are installed locally (Debian's
// /usr/include/node) they are used, so no download is needed; elsewhere
// node-gyp fetches them as usual. One script for every addon in the repo.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const gyp = require.resolve('node-gyp/bin/node-gyp.js');
const args = [gyp, 'rebuild', ...process.argv.slice(2)];
const local = process.env.npm_config_nodedir ?? (existsSync('/usr/include/node/node_api.h') ? '/usr' : undefined);
if (local) args.push(`--nodedir=${local}`);
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
