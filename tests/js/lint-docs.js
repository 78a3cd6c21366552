#!/usr/bin/env node
// The documentation rules of the openEO process linter (openeo-processes-lint), for UDP files:
// markdownlint on every CommonMark text (description of the process, its parameters, its return
// value and its examples) with the linter's configuration, and markdown-spellcheck on every text
// people read (summary, descriptions, schema titles and descriptions, example titles, link titles)
// with the project's word list. Like the linter, the dictionary is British English.
//
//   node lint-docs.js WORDS_FILE UDP_JSON...
//
// Prints one JSON object {file: [{pointer, tool, rule, message}]} and exits 1 when anything is found.
'use strict';
const fs = require('fs');
const { lint } = require('markdownlint/sync');
const mdspell = require('markdown-spellcheck').default;

// markdownlint's defaults, minus the rules the openEO linter switches off
const MARKDOWN_CONFIG = {
  'line-length': false,
  'first-line-h1': false,
  'fenced-code-language': false,
  'single-trailing-newline': false,
};
const SPELL_OPTIONS = { ignoreAcronyms: true, ignoreNumbers: true, suggestions: false };

function usage(message) {
  process.stderr.write(`lint-docs.js: ${message}\nusage: node lint-docs.js WORDS_FILE UDP_JSON...\n`);
  process.exit(2);
}

function pointer(parts) {
  return parts.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function markdown(text, where, findings) {
  const result = lint({ strings: { text }, config: MARKDOWN_CONFIG });
  for (const issue of result.text) {
    findings.push({
      pointer: pointer(where), tool: 'markdownlint', rule: issue.ruleNames.slice(0, 2).join('/'),
      message: `line ${issue.lineNumber}: ${issue.ruleDescription}` +
        (issue.errorDetail ? ` [${issue.errorDetail}]` : '') + (issue.errorContext ? ` [${issue.errorContext}]` : ''),
    });
  }
}

function spelling(text, where, findings) {
  for (const miss of mdspell.spell(text, SPELL_OPTIONS)) {
    findings.push({ pointer: pointer(where), tool: 'markdown-spellcheck', rule: 'spelling',
      message: `unknown word "${miss.word}"` });
  }
}

function schemaTexts(schema, where, findings) {
  if (Array.isArray(schema)) {
    schema.forEach((s, i) => schemaTexts(s, where.concat(i), findings));
  } else if (schema && typeof schema === 'object') {
    for (const key of ['title', 'description']) {
      if (typeof schema[key] === 'string') spelling(schema[key], where.concat(key), findings);
    }
    for (const [key, value] of Object.entries(schema)) {
      if (value && typeof value === 'object' && key !== 'default' && key !== 'examples' && key !== 'enum') {
        schemaTexts(value, where.concat(key), findings);
      }
    }
  }
}

function lintProcess(doc) {
  const findings = [];
  const prose = (text, where) => {
    if (typeof text === 'string') {
      markdown(text, where, findings);
      spelling(text, where, findings);
    }
  };
  if (typeof doc.summary === 'string') spelling(doc.summary, ['summary'], findings);
  prose(doc.description, ['description']);
  (doc.parameters || []).forEach((p, i) => {
    prose(p.description, ['parameters', i, 'description']);
    schemaTexts(p.schema, ['parameters', i, 'schema'], findings);
  });
  if (doc.returns) {
    prose(doc.returns.description, ['returns', 'description']);
    schemaTexts(doc.returns.schema, ['returns', 'schema'], findings);
  }
  (doc.examples || []).forEach((e, i) => {
    if (typeof e.title === 'string') spelling(e.title, ['examples', i, 'title'], findings);
    prose(e.description, ['examples', i, 'description']);
  });
  (doc.links || []).forEach((l, i) => {
    if (typeof l.title === 'string') spelling(l.title, ['links', i, 'title'], findings);
  });
  return findings;
}

function main() {
  const [wordsFile, ...files] = process.argv.slice(2);
  if (!wordsFile || files.length === 0) usage('need a word list and at least one UDP file');
  mdspell.spellcheck.initialise({ dictionary: { language: 'en-gb' } });
  for (const word of fs.readFileSync(wordsFile, 'utf8').split(/\r\n|\n|\r/)) {
    if (word.trim()) mdspell.spellcheck.addWord(word.trim());
  }
  const report = {};
  let found = 0;
  for (const file of files) {
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      usage(`cannot read ${file}: ${e.message}`);
    }
    report[file] = lintProcess(doc);
    found += report[file].length;
  }
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  process.exit(found ? 1 : 0);
}

main();
