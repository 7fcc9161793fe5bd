// What caniemail.com's data says each mail client lacks in each HTML document.
//   node caniemail.mjs NODE_MODULES_DIR CLIENT...   < {"name": "<html>...", ...}
//   stdout: {"name": {"CLIENT": {"unsupported": [titles], "partial": [titles]}}}
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, ...clients] = process.argv.slice(2);
// Resolved from the tools folder, not from this file: the packages live outside the repository.
const resolve = createRequire(path.join(modules, 'noop.js')).resolve;
const { caniemail } = await import(pathToFileURL(resolve('caniemail')).href);

const titles = (found, client) => [...new Set((found.get(client) || []).map((i) => i.title))].sort();

let input = '';
for await (const chunk of process.stdin) input += chunk;
const result = {};
for (const [name, html] of Object.entries(JSON.parse(input))) {
  const { issues } = caniemail({ clients, html });
  result[name] = Object.fromEntries(clients.map((c) => [c, {
    unsupported: titles(issues.errors, c),
    partial: titles(issues.warnings, c),
  }]));
}
process.stdout.write(JSON.stringify(result));
