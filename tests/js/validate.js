#!/usr/bin/env node
// Runs the official openEO JS validator (@openeo/js-processgraphs) on UDP files.
//
//   node validate.js SPECS_DIR [--profile PROFILE_JSON] UDP_JSON...
//
// SPECS_DIR holds openEO process specifications (*.json, and proposals/*.json). With --profile,
// the profile's extra processes are registered and its extra arguments are added to the specs
// of their processes, so that only errors outside the profile remain. Prints one JSON object:
// {"<udp path>": [{"code": ..., "message": ...}, ...]}; exit 0 when no file has errors, 1 when
// some file has, 2 on bad usage or unreadable input.
'use strict';

const fs = require('fs');
const path = require('path');
const { ProcessGraph, ProcessRegistry } = require('@openeo/js-processgraphs');

function usage(message) {
  process.stderr.write(`validate.js: ${message}\nusage: node validate.js SPECS_DIR [--profile PROFILE_JSON] UDP_JSON...\n`);
  process.exit(2);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    usage(`cannot read ${file}: ${error.message}`);
  }
}

function loadSpecs(dir) {
  const specs = [];
  for (const sub of ['', 'proposals']) {
    const folder = path.join(dir, sub);
    if (!fs.existsSync(folder)) {
      continue;
    }
    for (const name of fs.readdirSync(folder).sort()) {
      if (name.endsWith('.json')) {
        specs.push(readJson(path.join(folder, name)));
      }
    }
  }
  if (specs.length === 0) {
    usage(`no process specifications in ${dir}`);
  }
  return specs;
}

function applyProfile(specs, profile) {
  const byId = new Map(specs.map(spec => [spec.id, spec]));
  for (const extra of profile.extra_processes || []) {
    byId.set(extra.id, extra.spec);
  }
  for (const extra of profile.extra_arguments || []) {
    const spec = byId.get(extra.process_id);
    if (!spec) {
      continue;
    }
    const copy = Object.assign({}, spec, { parameters: spec.parameters.slice() });
    copy.parameters.push({ name: extra.argument, description: extra.reason, schema: extra.schema, optional: true });
    byId.set(extra.process_id, copy);
  }
  return Array.from(byId.values());
}

async function validate(udp, specs) {
  const graph = new ProcessGraph(udp, new ProcessRegistry(specs));
  await graph.validate(false);
  return graph.getErrors().getAll().map(error => ({
    code: error.code || 'InternalError',
    message: error.message,
  }));
}

async function main(argv) {
  const args = argv.slice();
  let profile = null;
  const at = args.indexOf('--profile');
  if (at !== -1) {
    profile = readJson(args[at + 1] || usage('--profile needs a file'));
    args.splice(at, 2);
  }
  if (args.length < 2) {
    usage('expected SPECS_DIR and at least one UDP_JSON');
  }
  let specs = loadSpecs(args[0]);
  if (profile) {
    specs = applyProfile(specs, profile);
  }
  const report = {};
  let failed = false;
  for (const file of args.slice(1)) {
    report[file] = await validate(readJson(file), specs);
    failed = failed || report[file].length > 0;
  }
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  process.exit(failed ? 1 : 0);
}

main(process.argv.slice(2)).catch(error => {
  process.stderr.write(`validate.js: ${error.stack || error}\n`);
  process.exit(2);
});
