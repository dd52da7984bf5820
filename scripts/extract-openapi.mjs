// Extracts the GitHub REST operations sweepwatch uses from GitHub's official OpenAPI
// description (@octokit/openapi, the dereferenced api.github.com variant) into
// test/fixtures/github/openapi-subset.json, which the fake GitHub validates every request against.
//
// @octokit/openapi is ~385 MB, so it is never a dependency. Regenerate with either:
//   npm i --no-save @octokit/openapi && node scripts/extract-openapi.mjs
//   (cd /tmp && npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz) && \
//     node scripts/extract-openapi.mjs --from /tmp/package
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const OUT = 'test/fixtures/github/openapi-subset.json';

// method + path template → what sweepwatch does with it. Labels are not listed: GitHub creates
// a missing label when an issue is created or updated with it (or has labels added). Pinning
// the dashboard issue is GraphQL-only (pinIssue), so it is out of scope of a REST description.
const OPERATIONS = [
  ['get', '/repos/{owner}/{repo}/issues'],
  ['post', '/repos/{owner}/{repo}/issues'],
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}'],
  ['patch', '/repos/{owner}/{repo}/issues/{issue_number}'],
  // Labels put back on the dashboard, written by number (its listing skipped), never removing one.
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/labels'],
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['patch', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['post', '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions'],
  ['get', '/repos/{owner}/{repo}/collaborators/{username}/permission'],
  ['post', '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches'],
  ['get', '/repos/{owner}/{repo}/git/ref/{ref}'],
  ['post', '/repos/{owner}/{repo}/git/refs'],
  ['patch', '/repos/{owner}/{repo}/git/refs/{ref}'],
  ['post', '/repos/{owner}/{repo}/git/blobs'],
  ['get', '/repos/{owner}/{repo}/git/blobs/{file_sha}'],
  ['post', '/repos/{owner}/{repo}/git/trees'],
  ['get', '/repos/{owner}/{repo}/git/trees/{tree_sha}'],
  ['post', '/repos/{owner}/{repo}/git/commits'],
  ['get', '/repos/{owner}/{repo}/git/commits/{commit_sha}'],
  ['get', '/repos/{owner}/{repo}/contents/{path}'],
  ['put', '/repos/{owner}/{repo}/contents/{path}'],
  // The artifact state store: the newest state artifact by name, its zip (a 302 to blob storage),
  // and the deletion of the state a save superseded (another run's artifact, so not the results
  // service's DeleteArtifact, which reaches only the calling run's).
  ['get', '/repos/{owner}/{repo}/actions/artifacts'],
  ['get', '/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}'],
  ['delete', '/repos/{owner}/{repo}/actions/artifacts/{artifact_id}'],
];

// Prose and samples are dropped from schemas: they are most of the size and validate nothing.
const ANNOTATIONS = new Set(['description', 'example', 'examples', 'title', 'externalDocs']);
const SCHEMA_MAPS = ['properties', 'patternProperties'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SCHEMA_ONE = ['items', 'additionalProperties', 'not'];

function pruneSchema(schema) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue;
    if (SCHEMA_MAPS.includes(key)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, pruneSchema(s)]));
    } else if (SCHEMA_LISTS.includes(key)) {
      out[key] = value.map(pruneSchema);
    } else if (SCHEMA_ONE.includes(key)) {
      out[key] = pruneSchema(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function pruneParameter(p) {
  const out = { name: p.name, in: p.in, required: p.required === true, schema: pruneSchema(p.schema) };
  if (p['x-multi-segment']) out['x-multi-segment'] = true;
  return out;
}

function jsonSchemaOf(content) {
  const json = content?.['application/json'];
  return json?.schema === undefined ? null : pruneSchema(json.schema);
}

function pruneOperation(method, path, op) {
  const out = {
    operationId: op.operationId,
    summary: op.summary,
    parameters: (op.parameters ?? []).map(pruneParameter),
  };
  if (op.requestBody)
    out.requestBody = {
      required: op.requestBody.required === true,
      schema: jsonSchemaOf(op.requestBody.content),
    };
  const responses = {};
  const statuses = Object.keys(op.responses);
  // A download's success is its redirect (302 to where the bytes are, no body), when it has no 2xx.
  const success = statuses.some((s) => /^2\d\d$/.test(s)) ? /^2\d\d$/ : /^30[1237]$/;
  for (const [status, response] of Object.entries(op.responses)) {
    if (success.test(status)) responses[status] = { schema: jsonSchemaOf(response.content) };
  }
  if (Object.keys(responses).length === 0) throw new Error(`${method} ${path} has no success response`);
  out.responses = responses;
  return out;
}

function locatePackage() {
  const at = process.argv.indexOf('--from');
  if (at !== -1 && process.argv[at + 1]) return process.argv[at + 1];
  return dirname(createRequire(import.meta.url).resolve('@octokit/openapi/package.json'));
}

const root = locatePackage();
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const generated = join(root, 'generated');
let source;
try {
  source = JSON.parse(readFileSync(join(generated, 'api.github.com.deref.json'), 'utf8'));
} catch {
  throw new Error(`no dereferenced api.github.com description under ${generated}`);
}

const paths = {};
for (const [method, path] of OPERATIONS) {
  const op = source.paths[path]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in @octokit/openapi@${version}`);
  paths[path] ??= {};
  paths[path][method] = pruneOperation(method, path, op);
}

const subset = {
  'x-generated-by': `node scripts/extract-openapi.mjs (from @octokit/openapi@${version}, api.github.com.deref.json)`,
  openapi: source.openapi,
  info: { title: source.info.title, version: source.info.version },
  paths,
};
writeFileSync(OUT, `${JSON.stringify(subset)}\n`);
console.log(`wrote ${OUT}: ${OPERATIONS.length} operations from @octokit/openapi@${version}`);
